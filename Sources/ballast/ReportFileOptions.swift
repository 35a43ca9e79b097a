import ArgumentParser
import BallastAWS
import BallastEngine
import BallastCore
import FoundationEssentials

/// `--out-json FILE` (drift, plan): the JSON report (spec section 4) written beside
/// whatever `--output` prints, for a job's artifact or a later `report merge`.
struct ReportFileOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Also write the JSON report to this file.", valueName: "file"))
    var outJSON: String?

    /// With `BALLAST_PLAN_KEY` set the report carries a MAC, which `report merge` checks.
    func write(_ report: Value) throws {
        guard let outJSON else { return }
        var written = Secrets.scrub(report)
        if let key = try Failure.guarding({ try PlanFile.key(from: ProcessInfo.processInfo.environment) }) {
            written = ReportSignature.sign(written, key: key)
        }
        do {
            try (JSON.encode(written, pretty: true) + "\n").write(toFile: outJSON, atomically: true, encoding: .utf8)
        } catch {
            Terminal.error("cannot write the JSON report to \(outJSON): \(systemReason(error))")
            throw Failure.error
        }
    }
}
