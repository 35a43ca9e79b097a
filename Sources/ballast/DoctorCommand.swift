import ArgumentParser
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Show what ballast would work on: repository, revision, environments, AWS identity and endpoints.",
        discussion: """
            Reads the desired state, then asks AWS who the credentials belong to (STS \
            GetCallerIdentity) and shows the region, the endpoint of each service and the \
            credential source (by name; never the key). Exits 1 when something is wrong (no \
            repository, unknown revision, mistakes in the desired state, no credentials, an \
            account guard that does not match), 0 otherwise. --no-aws skips the AWS part.

            EXAMPLES:
              ballast doctor
              ballast doctor --repo ../ops-settings --revision main
              AWS_PROFILE=ops-readonly ballast doctor --env prod
              ballast doctor --no-aws
            """)

    @OptionGroup var source: RepositoryOptions

    @Flag(name: .long, help: "Do not contact AWS; show only the repository side.")
    var noAws = false

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr; same as BALLAST_LOG=debug.")
    var debug = false

    func run() async throws {
        let loaded = try Failure.guarding { try source.load() }
        var problems = describeRepository(loaded)
        if !noAws {
            problems += await AWSFacts(setup: AWSSetup(debug: debug)).report(for: loaded.state.environments)
        }
        if !problems.isEmpty { throw Failure.error }
    }

    /// Prints the repository side; returns its problems.
    func describeRepository(_ loaded: LoadedState) -> [String] {
        Terminal.out("ballast      \(BallastVersion.current)")
        Terminal.out("repository   \(loaded.repositoryRoot)\(loaded.isBare ? " (bare)" : "")")
        if let commit = loaded.commit {
            Terminal.out("revision     \(commit.sha)  \(commit.summary)")
        }
        Terminal.out(
            "reading      \(loaded.fromWorktree ? "working tree (uncommitted files)" : "committed tree, no checkout")")
        Terminal.out("environments \(loaded.availableEnvironments.joined(separator: ", "))")
        for environment in loaded.state.environments {
            Terminal.out("")
            Terminal.out("  \(environment.name)")
            Terminal.out("    region         \(environment.region)")
            Terminal.out("    account guard  \(environment.account ?? "none")")
            Terminal.out("    change windows \(describe(environment.changeWindows))")
            if let lockTable = environment.lockTable { Terminal.out("    lock table     \(lockTable)") }
            let types = Dictionary(grouping: environment.resources, by: \.type).mapValues(\.count)
            Terminal.out("    resources      \(environment.resources.count) in \(types.count) type(s)")
        }
        if !loaded.diagnostics.isEmpty {
            Terminal.out("")
            Terminal.out(
                "problem: \(loaded.diagnostics.count) mistake(s) in the desired state; run 'ballast validate' "
                    + "for the list"
            )
            return ["desired state"]
        }
        return []
    }

    func describe(_ windows: [ChangeWindow]) -> String {
        guard !windows.isEmpty else { return "any time" }
        return windows.map { window in
            let days = Weekday.allCases.filter(window.days.contains).map(\.shortName).joined(separator: ",")
            return "\(days) \(clock(window.start))-\(clock(window.end)) UTC"
        }.joined(separator: "; ")
    }

    func clock(_ minutes: Int) -> String {
        Figures.zeroPadded(minutes / 60, width: 2) + ":" + Figures.zeroPadded(minutes % 60, width: 2)
    }
}
