import ArgumentParser
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials

/// `--explain`: who changed each drifted resource (CloudTrail, an autoscaler) and which commit set
/// its desired line (git), for drift and plan.
struct ExplainOptions: ParsableArguments {
    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Say who changed each MODIFIED or DELETED resource (CloudTrail LookupEvents, "
                + "an Auto Scaling group's scaling activities) and which commit set its desired line (git blame)."))
    var explain = false

    @Option(name: .long, help: ArgumentHelp("How far back CloudTrail is searched: 90d (its event history's "
        + "length, the default), 36h, 30m.", valueName: "duration"))
    var explainSince: String?

    @Option(name: .long, help: ArgumentHelp("Explain at most this many drifted resources (default 50; "
        + "LookupEvents is limited to 2 requests a second).", valueName: "n"))
    var explainMax: Int?

    /// At most this many resources are explained.
    var most: Int { explainMax ?? Explainer.Options().max }

    /// `--explain-since` in seconds; nil when it is not a duration up to CloudTrail's 90 days.
    var since: TimeInterval? {
        guard let explainSince else { return Explainer.history }
        if explainSince.hasSuffix("d"), let days = Double(explainSince.dropLast()) {
            return days * 86_400 <= Explainer.history && days > 0 ? days * 86_400 : nil
        }
        return ApplyOptions.seconds(explainSince).flatMap { $0 > 0 && $0 <= Explainer.history ? $0 : nil }
    }

    func validate() throws {
        if !explain, explainSince != nil || explainMax != nil {
            throw ValidationError("--explain-since and --explain-max go with --explain")
        }
        if since == nil {
            throw ValidationError("--explain-since takes a duration up to 90d (CloudTrail's event history), "
                + "like 90d, 36h or 30m; got \(UntrustedText.line(explainSince ?? ""))")
        }
        if most < 1 { throw ValidationError("--explain-max takes a count of at least 1") }
    }

    /// The report with attributions, when asked.
    func explained(_ report: DriftReport, loaded: LoadedState, setup: AWSSetup) async -> DriftReport {
        guard explain else { return report }
        let explainer = Explainer(clients: { setup.client(region: $0, role: $1) },
                                  options: .init(since: since ?? Explainer.history, max: most))
        return await explainer.explain(report, loaded: loaded)
    }
}
