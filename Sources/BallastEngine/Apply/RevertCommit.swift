import BallastCore
import BallastDesiredState
import BallastGit

/// `ballast revert`'s git half: the revert commit, made as `git revert` makes it.
public enum RevertCommit {
    /// Commits the revert of `revision` on HEAD; returns (the new commit, the reverted one).
    public static func make(_ revision: String,
                            repositoryPath: String) throws(RevertError) -> (created: GitCommit, reverted: GitCommit) {
        do {
            let repository = try GitRepository(discoveringFrom: repositoryPath)
            let reverted = try repository.commit(revision)
            let created = try repository.revert(revision, cleanPath: SourceFiles.desiredStateFolder)
            return (created, reverted)
        } catch {
            throw RevertError(error.message)
        }
    }
}

/// The revert commit `ballast revert` makes could not be made.
public struct RevertError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
