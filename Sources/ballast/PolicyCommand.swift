import ArgumentParser
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastRender

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with the policies in policies/.",
        subcommands: [PolicyTestCommand.self])
}

struct PolicyTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the policy files' tests (`tests:`): each gives a resource or change and the expected result.",
        discussion: """
            Each test names a policy, a resource (as written in desired-state/) or a \
            change (`set` as in the plan JSON), and what the policy must give: pass, \
            fail, error, waived, or skip (its match leaves the subject out). Exits 0 \
            when every test gives what it expects, 1 when one does not or a policy \
            file has mistakes. Makes no AWS call.

            EXAMPLES:
              ballast policy test
              ballast policy test --worktree        test uncommitted policy edits
              ballast policy test --output json
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var source: RepositoryOptions

    @Option(name: .long, help: ArgumentHelp("text or json.", valueName: "format"))
    var output: Format = .text

    func run() throws {
        try Failure.guarding {
            let loaded = try source.load()
            // Only the policy files' mistakes stop the tests; validate reports the rest.
            let mistakes = loaded.diagnostics.filter { $0.location.file.hasPrefix(SourceFiles.policiesFolder + "/") }
            guard mistakes.isEmpty else {
                for diagnostic in mistakes { Terminal.out(diagnostic.description) }
                Terminal.error(
                    "\(mistakes.count) mistake(s) in the policy files at \(loaded.revisionLabel); no test was run")
                throw Failure.error
            }
            let engine = PolicyEngine(loaded.policies)
            let outcomes = loaded.policies.tests.map(engine.run)
            switch output {
            case .text: Terminal.write(PolicyTestRendering.text(outcomes, policies: loaded.policies.policies))
            case .json: Terminal.write(PolicyTestRendering.json(outcomes, policies: loaded.policies.policies))
            }
            if outcomes.contains(where: { !$0.passed }) { throw Failure.error }
        }
    }
}
