import ArgumentParser
import BallastCore
import BallastEngine

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Parse and check the desired state and policies; makes no AWS call.",
        discussion: """
            Reports every mistake at once as path/file.yaml:LINE:COLUMN: message, and exits 1 \
            if there is any. Then runs the state policies (policies/*.yaml) on the desired state \
            and exits 1 if a deny policy fails; exits 0 when the desired state is valid.

            EXAMPLES:
              ballast validate
              ballast validate --revision v1.4.0 --env prod
              ballast validate --worktree
              ballast validate --output sarif > ballast.sarif   # for code scanning
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, sarif }

    @OptionGroup var source: RepositoryOptions

    @Option(name: .long, help: ArgumentHelp("text, or sarif (SARIF 2.1.0: every mistake and failing policy at its file and line).",
                                            valueName: "format"))
    var output: Format = .text

    func run() throws {
        try Failure.guarding {
            let loaded = try source.load()
            // Policies run only on a desired state without mistakes.
            let policy = loaded.diagnostics.isEmpty ? PolicyEngine(loaded.policies).check(loaded.state) : []
            let failed = !loaded.diagnostics.isEmpty || policy.contains(where: \.blocks)
            switch output {
            case .sarif: Terminal.write(SARIFRendering.render(policy: policy, policies: loaded.policies.policies, mistakes: loaded.diagnostics))
            case .text: report(loaded, policy)
            }
            if failed { throw Failure.error }
        }
    }

    func report(_ loaded: LoadedState, _ policy: [PolicyResult]) {
        for diagnostic in loaded.diagnostics { Terminal.out(diagnostic.description) }
        guard loaded.diagnostics.isEmpty else {
            let files = Set(loaded.diagnostics.map(\.location.file)).count
            Terminal.out("invalid: \(loaded.revisionLabel): \(loaded.diagnostics.count) mistake(s) in \(files) file(s)")
            return
        }
        let environments = loaded.state.environments
        Terminal.write(PolicyRendering.text(policy))
        Terminal.out("valid: \(loaded.revisionLabel): \(environments.count) environment(s) "
            + "(\(environments.map(\.name).joined(separator: ", "))), "
            + "\(loaded.state.resourceCount) resource(s), \(loaded.policyFiles.count) policy file(s)")
        if policy.contains(where: \.blocks) { Terminal.error("a deny policy fails on the desired state") }
    }
}
