import BallastCore
import BallastDesiredState
import BallastGit

/// Which commit a saved plan may be applied at. A plan is the desired state of one commit,
/// so it is applied only where that commit is the truth: the tip of the branch apply runs
/// from (HEAD, or `--branch`), or, when the caller says so, a commit on that branch's history.
/// The repository's history decides, never the file: a plan of a pull request's commit that
/// was never merged, of a deleted branch, or of the working tree is refused.
public struct SavedPlanRevision: Sendable, Equatable {
    /// The plan's commit, as resolved in the repository.
    public let commit: String
    /// Said to the user when an older revision is applied.
    public let notes: [String]

    /// A full commit id: what `ballast plan --out` records. Anything else (a `+worktree`
    /// suffix, a branch name, a short id) is refused before the repository is asked.
    public static func isCommitId(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Checks `revision` against `branch`'s tip (HEAD when nil); `allowOlder` accepts an ancestor.
    public static func check(_ revision: String, repositoryPath: String, branch: String?,
                             allowOlder: Bool) throws(SavedPlanRefusal) -> SavedPlanRevision {
        guard isCommitId(revision) else {
            throw SavedPlanRefusal("the plan's revision '\(revision)' is not a commit id; a saved plan is always of a "
                + "commit (`ballast plan --out` refuses --worktree): commit, push, and plan again")
        }
        do {
            let repository = try GitRepository(discoveringFrom: repositoryPath)
            let tipName = branch.map { "branch \($0)" } ?? "HEAD" + (repository.currentBranch.map { " (\($0))" } ?? "")
            let tip = try repository.commit(branch.map { "refs/heads/" + $0 } ?? "HEAD")
            guard let planned = try? repository.commit(revision), planned.sha == revision else {
                throw SavedPlanRefusal("the plan's commit \(revision.prefix(12)) is not in this repository: it was "
                    + "never fetched here, or its branch was deleted; a plan applies only to a commit of the branch "
                    + "it is applied from (\(tipName) is \(tip.shortSHA))")
            }
            if planned == tip { return SavedPlanRevision(commit: revision, notes: []) }
            guard try repository.isAncestor(planned, of: tip) else {
                throw SavedPlanRefusal("the plan's commit \(planned.shortSHA) is not on the history of \(tipName) "
                    + "(\(tip.shortSHA)): it was never merged there. Merge it, then plan again from \(tipName)")
            }
            let behind = try repository.commitsBehind(planned, tip: tip)
            guard allowOlder else {
                throw SavedPlanRefusal("the plan's commit \(planned.shortSHA) is \(behind) commit(s) behind "
                    + "\(tipName) (\(tip.shortSHA)): plan again at the tip, or pass --allow-older-revision to apply "
                    + "the older desired state")
            }
            var notes = ["applying the plan of \(planned.shortSHA), \(behind) commit(s) behind \(tipName) "
                + "(\(tip.shortSHA)), as --allow-older-revision asks"]
            let folder = SourceFiles.desiredStateFolder
            if try repository.treeId(of: folder, at: planned) != repository.treeId(of: folder, at: tip) {
                notes.append("desired-state/ changed after \(planned.shortSHA): this apply writes that commit's "
                    + "values, not \(tip.shortSHA)'s")
            }
            return SavedPlanRevision(commit: revision, notes: notes)
        } catch let error as SavedPlanRefusal {
            throw error
        } catch {
            throw SavedPlanRefusal("\(error)")
        }
    }
}

/// Why a saved plan is not applied here; nothing was changed.
public struct SavedPlanRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
