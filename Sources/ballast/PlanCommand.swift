import ArgumentParser
import BallastAWS
import BallastCore
import BallastEngine
import Foundation

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the drift and the API writes that would bring live settings to the desired state.",
        discussion: """
            One entry per API write, as few as the APIs allow (MinSize, MaxSize and DesiredCapacity
            in one UpdateAutoScalingGroup). A range moves to its nearest bound. Resources that do not
            exist are listed as unfixable. --out saves the plan for `ballast apply FILE`, which
            refuses it if any planned live value has moved since.

            Exit codes: 0 no changes, 2 changes, 1 an error or anything not checked.

            EXAMPLES:
              ballast plan --env prod
              ballast plan --env prod --out prod.plan.json
              ballast plan --output markdown > comment.md
            """)

    @OptionGroup var source: RepositoryOptions

    @Option(name: .long, help: ArgumentHelp("text, json, markdown or cfn.", valueName: "format"))
    var output: ReportFormat = .text

    @Option(name: .long, help: ArgumentHelp("Save the plan (versioned JSON) to this file.", valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    func run() async throws {
        let setup = AWSSetup(debug: debug)
        let (_, plan) = try await Planning.make(source, setup: setup)
        Terminal.write(PlanRendering.render(plan, as: output, colour: Terminal.useColour(STDOUT_FILENO)))
        if let out { try PlanFile.write(plan, to: out) }
        if plan.report.summary.notChecked > 0 { throw Failure.error }
        if !plan.changes.isEmpty || !plan.unfixable.isEmpty { throw ExitCode(2) }
    }
}

/// Load, refuse mistakes, read live values, plan: shared by plan and apply.
enum Planning {
    static func make(_ source: RepositoryOptions, setup: AWSSetup) async throws -> (LoadedState, Plan) {
        let loaded = try Failure.guarding { try source.load() }
        try Failure.refuseMistakes(loaded)
        let progress = Progress(label: "reading live settings")
        let report = await DriftDetector(client: { setup.client(region: $0) }, progress: progress.update)
            .detect(loaded.state, revision: loaded.revision)
        progress.finish()
        return (loaded, Planner.plan(report))
    }
}

/// The saved plan: the JSON report with `changes`, a format version and a checksum.
enum PlanFile {
    static let version = 1

    static func write(_ plan: Plan, to path: String) throws {
        guard case .map(var fields) = plan.json else { return }
        fields["planFormat"] = .int(version)
        fields["checksum"] = .string(checksum(.map(fields)))
        try (JSON.encode(.map(fields), pretty: true) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The plan's revision, environments and changes; a damaged or edited file is refused.
    static func read(_ path: String) throws -> (revision: String, environments: [String], changes: [PlannedChange]) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), case .map(var fields)? = try? JSON.parse(text) else {
            throw LoadError("\(path): not a ballast plan file")
        }
        guard fields["planFormat"] == .int(version) else { throw LoadError("\(path): plan format \(fields["planFormat"] ?? .null) is not \(version)") }
        let stated = fields.removeValue(forKey: "checksum")?.string
        guard stated == checksum(.map(fields)) else { throw LoadError("\(path): checksum does not match; the plan was edited or damaged") }
        let changes = (fields["changes"]?.list ?? []).compactMap(PlannedChange.init(json:))
        let environments = (fields["environments"]?.list ?? []).compactMap { $0["name"]?.string }
        return (fields["revision"]?.string ?? "HEAD", environments, changes)
    }

    static func checksum(_ value: Value) -> String {
        Checksum.sha256Hex(Array(JSON.encode(value).utf8))
    }
}
