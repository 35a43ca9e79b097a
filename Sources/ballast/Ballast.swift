import ArgumentParser
import BallastEngine

@main
struct Ballast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ballast",
        abstract: "Keep AWS operational settings in git: validate, detect drift, plan, apply, roll back.",
        discussion: """
            Desired state lives in desired-state/<environment>/*.yaml and is read from a git
            revision (default HEAD) through libgit2, without a checkout. Policies live in policies/.

            EXAMPLES:
              ballast validate                       check HEAD's desired state and policies
              ballast validate --revision HEAD~3     check an older revision's files
              ballast validate --worktree            check uncommitted edits
              ballast drift --env prod               compare live settings with HEAD's desired state
              ballast doctor --env prod              show repository, revision and environments
            """,
        version: BallastVersion.current,
        subcommands: [ValidateCommand.self, DriftCommand.self, PlanCommand.self, ApplyCommand.self, RollbackCommand.self,
                      RevertCommand.self, HistoryCommand.self, UnlockCommand.self, DoctorCommand.self])
}
