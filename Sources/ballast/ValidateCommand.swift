import ArgumentParser
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastRender

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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "text, or sarif (SARIF 2.1.0: every mistake and failing policy at its file and line).",
            valueName: "format"))
    var output: Format = .text

    func run() throws {
        try Failure.guarding {
            let validation = Validation(try source.load())
            let loaded = validation.loaded
            switch output {
            case .sarif:
                Terminal.write(SARIFRendering.render(policy: validation.policy, policies: loaded.policies.policies,
                                                     mistakes: loaded.diagnostics))
            case .text:
                Terminal.out(String(validation.report.dropLast()))
                if let denial = validation.denial { Terminal.error(denial) }
            }
            if validation.failed { throw Failure.error }
        }
    }
}
