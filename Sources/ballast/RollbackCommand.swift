import ArgumentParser
import BallastEngine

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Apply the desired state of an earlier revision.",
        discussion: """
            Plans and applies REV's desired state exactly as `ballast apply` does, with the same \
            lock, change windows, confirmation and read-back; the journal marks it a rollback from \
            the current HEAD. The repository is not changed (use `ballast revert` to record the \
            rollback as a commit). To see the plan first: `ballast plan --revision REV`.

            Exit codes: as apply (0 applied, 1 an error or refusal).

            EXAMPLES:
              ballast rollback --to HEAD~1 --env prod
              ballast rollback --to v2026.11.20 --env prod --auto-approve
            """)

    @Option(
        name: .long, help: ArgumentHelp("The revision to roll back to: sha, tag, branch, HEAD~2.", valueName: "rev"))
    var to: String

    @OptionGroup var source: RepositoryOptions
    @OptionGroup var options: ApplyOptions

    func validate() throws {
        if source.revision != nil || source.worktree {
            throw ValidationError("rollback reads the revision given with --to; drop --revision/--worktree")
        }
    }

    func run() async throws {
        var target = source
        target.revision = to
        let head = try Failure.guarding { try source.load() }.head
        try await ApplyFlow(options: options, kind: .rollback, relatedCommit: head?.sha).run(target)
    }
}
