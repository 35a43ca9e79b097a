import ArgumentParser
import BallastAdapters
import BallastAWS
import BallastEngine

struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove an environment's apply lock left by an apply that is gone.",
        discussion: """
            Removes the lock item from the environment's lockTable, or the .git lock file. Only \
            for a lock whose apply is no longer running: two applies at once can undo each \
            other's writes. Without --force it changes nothing.

            EXAMPLES:
              ballast unlock prod --force
            """)

    @Argument(help: ArgumentHelp("The environment whose lock to remove.", valueName: "env"))
    var environment: String

    @Flag(name: .long, help: "Remove the lock.")
    var force = false

    @Option(
        name: .long,
        help: ArgumentHelp("The git repository (default: the one around the current directory).", valueName: "path"))
    var repo: String?

    func run() async throws {
        let loaded = try Failure.guarding { try RepositoryOptions.head(repo: repo, environments: [environment]) }
        guard let declared = loaded.state.environments.first else {
            Terminal.error(
                "\(environment)'s environment.yaml has mistakes; run `ballast validate --env \(environment)`")
            throw Failure.error
        }
        let owner = LockOwner(actor: Actor.current(repositoryPath: loaded.repositoryRoot), revision: loaded.revision)
        let lockTables = AWSSetup().lockTables
        let lock: any ApplyLock = declared.lockTable.map {
            lockTables($0, declared).lock(environment: environment, owner: owner)
        } ?? FileLock(gitDirectory: loaded.gitDirectory, environment: environment, owner: owner)
        guard force else {
            Terminal.error(
                "unlock removes the lock in \(lock.place) even while an apply holds it; pass --force if that "
                    + "apply is gone"
            )
            throw Failure.error
        }
        do {
            if let record = try await lock.breakLock() {
                Terminal.out("Removed the lock on \(environment) held by \(record.describe()).")
            } else {
                Terminal.out("\(environment) was not locked (\(lock.place)).")
            }
        } catch {
            Terminal.error("cannot remove the lock in \(lock.place): \(error)")
            throw Failure.error
        }
    }
}
