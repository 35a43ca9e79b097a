import ArgumentParser
import BallastAdapters
import BallastAWS
import BallastEngine
import FoundationEssentials

struct CommentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment",
        abstract: "Post a markdown file as the pull request's ballast comment, editing the earlier one.",
        discussion: """
            Finds its earlier comment by the marker <!-- ballast:KEY --> through every page of the \
            pull request's comments and edits it, so each push updates one comment instead of adding \
            another. KEY defaults to the marker `--output markdown` wrote (the environments in the file). \
            Also appends the file to $GITHUB_STEP_SUMMARY when that is set.

            Reads GITHUB_TOKEN (needs pull-requests: write), GITHUB_REPOSITORY, GITHUB_API_URL \
            (GitHub Enterprise; default https://api.github.com) and, without --pr, the pull request \
            from the event in GITHUB_EVENT_PATH. The token is never printed.

            Exit codes: 0 posted or updated, 1 an error.

            EXAMPLES:
              ballast plan --env prod --output markdown > plan.md; ballast comment plan.md
              ballast comment drift.md --pr 42 --key drift-prod
            """)

    @Argument(help: ArgumentHelp("The markdown file to post.", valueName: "file"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("The pull request's number (default: the workflow event's).",
                                            valueName: "number"))
    var pr: Int?

    @Option(name: .long, help: ArgumentHelp("Which ballast comment this is (default: the file's marker).",
                                            valueName: "key"))
    var key: String?

    func validate() throws {
        if let pr, pr < 1 { throw ValidationError("--pr takes a pull request's number (1 or more), not \(pr)") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let data = FileManager.default.contents(atPath: file) else {
            Terminal.error("cannot read \(file)")
            throw Failure.error
        }
        let markdown = String(decoding: data, as: UTF8.self)
        let outcome = try await Failure.guarding {
            let settings = try GitHubSettings.from(environment)
            let number = try pr ?? pullRequestFromEvent(environment)
            let poster = PullRequestComment(client: GitHubClient(settings: settings, transport: CurlTransport()))
            let key = key ?? PullRequestComment.defaultKey(for: markdown)
            return try await poster.post(markdown, pullRequest: number, key: key)
        }
        switch outcome {
        case .created(let url): Terminal.note("posted \(url)")
        case .updated(let url): Terminal.note("updated \(url)")
        }
        if let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
            try Failure.guarding { try StepSummary.append(markdown, to: summary) }
        }
    }

    func pullRequestFromEvent(_ environment: [String: String]) throws -> Int {
        guard let event = environment["GITHUB_EVENT_PATH"], !event.isEmpty else {
            throw GitHubError("no pull request: pass --pr N (or run in a pull_request workflow, which sets "
                + "GITHUB_EVENT_PATH)")
        }
        return try PullRequestComment.pullRequest(eventFile: event)
    }
}
