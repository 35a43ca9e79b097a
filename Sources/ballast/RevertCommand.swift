import ArgumentParser
import BallastAWS
import BallastEngine
import BallastRender
import FoundationEssentials
import Glibc

struct RevertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revert",
        abstract: "Commit the revert of COMMIT (as git revert does), then plan it or apply it.",
        discussion: """
            Makes the commit `Revert "<subject>"` / `This reverts commit <sha>.` on HEAD through \
            libgit2, updating the index and working tree (a bare repository gets the commit only). \
            Refuses, changing nothing, on uncommitted changes under desired-state/, on conflicts \
            with later commits, and on merge commits. Then shows the plan of the new commit, or \
            with --apply applies it as `ballast apply` does; the journal marks it a revert.

            Exit codes: as plan (0 no changes, 2 changes) without --apply; as apply with it.

            EXAMPLES:
              ballast revert 3f2c9a1 --env prod
              ballast revert HEAD --env prod --apply --auto-approve
            """)

    @Argument(help: ArgumentHelp("The commit to revert.", valueName: "commit"))
    var commit: String

    @Flag(name: .long, help: "Apply the reverted state instead of only planning it.")
    var apply = false

    @OptionGroup var source: RepositoryOptions
    @OptionGroup var options: ApplyOptions

    func validate() throws {
        if source.revision != nil || source.worktree {
            throw ValidationError("revert plans the new revert commit; drop --revision/--worktree")
        }
    }

    func run() async throws {
        let path = source.repo ?? FileManager.default.currentDirectoryPath
        let made = try Failure.guarding { try RevertCommit.make(commit, repositoryPath: path) }
        Terminal.out("[\(made.created.shortSHA)] Revert \"\(made.reverted.summary)\"")
        var target = source
        target.revision = made.created.sha
        if apply {
            return try await ApplyFlow(options: options, kind: .revert, relatedCommit: made.reverted.sha).run(target)
        }
        let setup = AWSSetup(debug: options.debug)
        let plan = try await Planning.read(try Planning.load(target), setup: setup,
                                           guardWindow: options.guards.seconds)
        Terminal.write(PlanRendering.render(plan, as: .text, colour: Terminal.useColour(STDOUT_FILENO)))
        if plan.exitCode != 0 { throw ExitCode(plan.exitCode) }
    }
}
