import ArgumentParser
import BallastCore
import BallastEngine
import Foundation

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Show what ballast would work on: repository, revision, environments.",
        discussion: """
            Exits 1 when something is wrong (no repository, unknown revision, mistakes in the
            desired state), 0 otherwise.

            EXAMPLES:
              ballast doctor
              ballast doctor --repo ../ops-settings --revision main
            """)

    @OptionGroup var source: RepositoryOptions

    func run() throws {
        try Failure.guarding {
            let loaded = try source.load()
            Terminal.out("ballast      \(BallastVersion.current)")
            Terminal.out("repository   \(loaded.repositoryRoot)\(loaded.isBare ? " (bare)" : "")")
            if let commit = loaded.commit {
                Terminal.out("revision     \(commit.sha)  \(commit.summary)")
            }
            Terminal.out("reading      \(loaded.fromWorktree ? "working tree (uncommitted files)" : "committed tree, no checkout")")
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
                Terminal.out("problem: \(loaded.diagnostics.count) mistake(s) in the desired state; run 'ballast validate' for the list")
                throw Failure.error
            }
        }
    }

    func describe(_ windows: [ChangeWindow]) -> String {
        guard !windows.isEmpty else { return "any time" }
        return windows.map { window in
            let days = Weekday.allCases.filter(window.days.contains).map(\.shortName).joined(separator: ",")
            return "\(days) \(clock(window.start))-\(clock(window.end)) UTC"
        }.joined(separator: "; ")
    }

    func clock(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
