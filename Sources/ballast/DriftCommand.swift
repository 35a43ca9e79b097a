import ArgumentParser
import BallastAdapters
import BallastAWS
import BallastCore
import BallastEngine
import BallastRender
import FoundationEssentials
import Glibc

extension ReportFormat: ExpressibleByArgument {}

struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Read the live settings from AWS and report where they differ from the desired state.",
        discussion: """
            Compares only the properties the repository declares, like CloudFormation drift \
            detection: IN_SYNC, MODIFIED (with each property's live and desired value), DELETED \
            (the resource does not exist) or NOT_CHECKED (it could not be read; the reason is \
            given and the rest of the report still comes out). Nothing is written to AWS.

            Exit codes: 0 in sync, 2 drift, 1 an error or anything NOT_CHECKED.

            EXAMPLES:
              ballast drift
              ballast drift --env prod --output markdown > comment.md
              ballast drift --revision v1.4.0 --output json
              ballast drift --env prod --explain          # who changed it, and which commit set it
              ballast drift --output markdown --out-json drift.json --publish-metrics
              ballast drift --github-issue --notify "$SLACK_WEBHOOK_URL"   # on a schedule
              ballast drift --output cfn | jq '.StackResourceDrifts[] | select(.StackResourceDriftStatus != "IN_SYNC")'
            """)

    @OptionGroup var source: RepositoryOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "text, json, markdown, cfn (CloudFormation's StackResourceDrifts shape) or sarif (each drifted "
                + "property at its line).",
            valueName: "format"))
    var output: ReportFormat = .text

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr; same as BALLAST_LOG=debug.")
    var debug = false

    @OptionGroup var reportFile: ReportFileOptions

    @OptionGroup var sharding: ShardOptions

    @OptionGroup var budget: BudgetOptions

    @OptionGroup var explanation: ExplainOptions

    @Flag(name: .long, help: ArgumentHelp("Publish the counts to CloudWatch (namespace Ballast: InSyncResources, "
        + "DriftedResources, DeletedResources, NotCheckedResources; dimension Environment)."))
    var publishMetrics = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "POST {\"text\": ...} (Slack-compatible) to this webhook for each environment "
                + "whose drift differs from the last run's (kept as a git note, refs/notes/ballast-drift, and in the "
                + "environment's lock table when it has one).", valueName: "url"))
    var notify: String?

    @Flag(name: .long, help: "With --notify, send even when nothing changed since the last run.")
    var notifyAlways = false

    @Flag(name: .long, help: ArgumentHelp("Keep one open GitHub issue per drifted environment "
        + "(title \"Drift in <env>\", "
        + "label ballast-drift): created, edited when the drift changes, closed when back in sync. "
        + "Needs GITHUB_TOKEN (issues: write) and GITHUB_REPOSITORY."))
    var githubIssue = false

    @Option(name: .long, help: ArgumentHelp("Only the resources this CloudFormation stack manages (by ref, or by "
        + "physical id among its resources); with --output cfn, StackId is the stack's ARN.", valueName: "name"))
    var stack: String?

    func validate() throws {
        if notifyAlways, notify == nil { throw ValidationError("--notify-always needs --notify URL") }
    }

    func run() async throws {
        let loaded = try sharding.slice(try Failure.guarding { try source.load(keeping: sharding.selected) })
        try Failure.refuseMistakes(loaded)
        let shards = sharding.selected?.count ?? 1
        if budget.printedReadPlan(loaded, explainMax: explanation.explain ? explanation.most : nil, shards: shards) {
            return
        }
        let (setup, calls) = budget.setup(debug: debug, shards: shards)
        let progress = Progress(label: "reading live settings", calls: calls)
        var detector = DriftDetector(kinds: builtInKinds, clients: setup.clients, lockTables: setup.lockTables,
                                     progress: progress.update(environment:read:total:))
        detector.holdKey = try RunContext.key()
        var report = await detector.detect(loaded, stack: stack, now: try RunContext.clock()()).report
        report.shard = sharding.selected
        report = await explanation.explained(report, loaded: loaded, setup: setup)
        progress.finish()
        for warning in report.warnings { Terminal.note(warning) }
        if let stack, report.resources.isEmpty {
            Terminal.error(
                "no desired resource is managed by CloudFormation stack \(stack) (by ref, or by physical id "
                    + "among its resources)")
            throw Failure.error
        }
        Terminal.write(DriftRendering.render(report, as: output, colour: Terminal.useColour(STDOUT_FILENO)))
        try reportFile.write(report.json())
        if publishMetrics {
            let problems = await DriftMetrics.publish(report) { setup.client(region: $0) }
            for problem in problems { Terminal.error(problem) }
            if !problems.isEmpty { throw Failure.error }
        }
        if let notify {
            let notifier = DriftNotifier(loaded: loaded, transport: setup.transport, lockTables: setup.lockTables)
            let (sent, problems) = await notifier.notify(report, url: notify, always: notifyAlways)
            if !sent.isEmpty { Terminal.note("notified the webhook about " + sent.joined(separator: ", ")) }
            for problem in problems { Terminal.error(problem) }
            if !problems.isEmpty { throw Failure.error }
        }
        if githubIssue { try await syncIssues(report, setup: setup) }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    func syncIssues(_ report: DriftReport, setup: AWSSetup) async throws {
        let done = try await Failure.guarding {
            let settings = try GitHubSettings.from(ProcessInfo.processInfo.environment)
            let client = GitHubClient(settings: settings, transport: setup.transport)
            return try await DriftIssues(client: client).sync(report)
        }
        for (environment, action) in done {
            let name = UntrustedText.line(environment)
            switch action {
            case .created(let url): Terminal.note("opened the drift issue for \(name): \(url)")
            case .updated(let url): Terminal.note("updated the drift issue for \(name): \(url)")
            case .closed(let url): Terminal.note("closed the drift issue for \(name) (back in sync): \(url)")
            case .unchanged: break
            }
        }
    }
}
