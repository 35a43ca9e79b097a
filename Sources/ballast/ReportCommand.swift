import ArgumentParser
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastRender
import FoundationEssentials
import Glibc

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Work with JSON reports: join a sharded run's reports, or write them as a status page.",
        subcommands: [ReportMergeCommand.self, ReportHTMLCommand.self])
}

struct ReportHTMLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "html",
        abstract: "The status page of a drift or plan report, as one self-contained HTML file.",
        discussion: """
            The overview of every environment, each environment's resources (filterable by status and type), \
            and each resource's declaration, differences and planned writes, in one file with no external \
            asset and no network access: for a CI artifact or GitHub Pages. The report is read from FILE, or \
            from standard input when none is given; a sharded run's reports are joined first (report merge). \
            Every value is escaped as untrusted text.

            EXAMPLES:
              ballast drift --output json > drift.json; ballast report html --out status.html drift.json
              ballast plan --output json | ballast report html --out plan.html
            """)

    @Argument(help: ArgumentHelp("The JSON reports (a drift's or a plan's; several shards are joined).",
                                 valueName: "file"))
    var files: [String] = []

    @Option(name: .long, help: ArgumentHelp("Where to write the page.", valueName: "file"))
    var out: String

    func run() async throws {
        var reports: [(name: String, json: Value)] = []
        for file in files.isEmpty ? ["-"] : files {
            let bytes: [UInt8]
            if file == "-" {
                // Read a chunk at a time, never more than the bound and one byte past it.
                var read: [UInt8] = []
                while read.count <= PlanFile.maxBytes,
                      let chunk = try? StandardStream.input.read(upToCount: min(1 << 20, PlanFile.maxBytes + 1
                          - read.count)), !chunk.isEmpty {
                    read += chunk
                }
                bytes = read
                if bytes.count > PlanFile.maxBytes {
                    Terminal.error("the report on standard input is larger than \(PlanFile.maxBytes) bytes")
                    throw Failure.error
                }
            } else {
                bytes = try Failure.guarding { try BoundedFile.read(file, maxBytes: PlanFile.maxBytes,
                                                                   what: "the report \(file)") }
            }
            do {
                reports.append((file == "-" ? "standard input" : file,
                                try JSON.parse(String(decoding: bytes, as: UTF8.self))))
            } catch {
                Terminal.error("\(file == "-" ? "standard input" : file) is not JSON: \(error)")
                throw Failure.error
            }
        }
        let key = try Failure.guarding { try PlanFile.key(from: ProcessInfo.processInfo.environment) }
        let (plan, notes) = try Failure.guarding { try ReportMerge.merge(reports, key: key, kinds: builtInKinds) }
        for note in notes { Terminal.note(note) }
        let page = StatusPage(plan: plan, now: Date(), mode: .file).file()
        do {
            try page.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            Terminal.error("cannot write \(out): \(systemReason(error))")
            throw Failure.error
        }
        Terminal.note("wrote \(out): \(plan.report.resources.count) resources in "
            + "\(plan.report.environments.count) environments")
    }
}

struct ReportMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "One report from the JSON reports of a sharded drift or plan, as if one run made it.",
        discussion: """
            Each shard writes its report with --shard I/N --out-json FILE; merge them in a later job. \
            Refused: reports of different revisions or commands, a shard missing or given twice, a \
            resource in two reports or in a shard it does not hash to; each status is recomputed from \
            its differences. With BALLAST_PLAN_KEY set, every report needs the MAC --out-json writes \
            under that key.

            Exit codes: as the one run would have (drift: 0 in sync, 2 drift, 1 anything not checked; \
            plan: 0, 2 changes, 3 denied, 1), or 1 when the reports cannot be merged.

            EXAMPLES:
              ballast report merge shard-*.json --output markdown > comment.md
              ballast report merge shard-1.json shard-2.json shard-3.json --output sarif > ballast.sarif
            """)

    @Argument(help: ArgumentHelp("The shards' JSON reports.", valueName: "file"))
    var files: [String]

    @Option(name: .long, help: ArgumentHelp("text, json, markdown, cfn or sarif.", valueName: "format"))
    var output: ReportFormat = .text

    @OptionGroup var reportFile: ReportFileOptions

    @Flag(name: .long, help: ArgumentHelp("Publish the merged drift counts to CloudWatch, as drift "
        + "--publish-metrics does "
        + "(a shard's own counts are partial, so shards should not)."))
    var publishMetrics = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give the JSON reports to merge") }
    }

    func run() async throws {
        var reports: [(name: String, json: Value)] = []
        for file in files {
            // Read only after its size is checked: a report is an artifact anyone may have replaced.
            let bytes = try Failure.guarding { try BoundedFile.read(file, maxBytes: PlanFile.maxBytes,
                                                                    what: "the report \(file)") }
            do {
                reports.append((file, try JSON.parse(String(decoding: bytes, as: UTF8.self))))
            } catch {
                Terminal.error("\(file) is not JSON: \(error)")
                throw Failure.error
            }
        }
        let key = try Failure.guarding { try PlanFile.key(from: ProcessInfo.processInfo.environment) }
        let (plan, notes) = try Failure.guarding {
            try ReportMerge.merge(reports, key: key, kinds: builtInKinds)
        }
        for note in notes { Terminal.note(note) }
        let colour = Terminal.useColour(STDOUT_FILENO)
        if plan.report.command == "plan" {
            Terminal.write(PlanRendering.render(plan, as: output, colour: colour))
            try reportFile.write(plan.json)
        } else {
            Terminal.write(DriftRendering.render(plan.report, as: output, colour: colour))
            try reportFile.write(plan.report.json())
        }
        if publishMetrics {
            let setup = AWSSetup()
            let problems = await DriftMetrics.publish(plan.report) { setup.client(region: $0) }
            for problem in problems { Terminal.error(problem) }
            if !problems.isEmpty { throw Failure.error }
        }
        let code = ReportMerge.exitCode(plan)
        if code != 0 { throw ExitCode(code) }
    }
}
