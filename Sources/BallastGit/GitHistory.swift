import CGit2

/// Where a commit stands in a branch's history: what a saved plan's revision is checked against.
public extension GitRepository {
    /// `ancestor` is on `descendant`'s history (and is not `descendant` itself).
    func isAncestor(_ ancestor: GitCommit, of descendant: GitCommit) throws(GitError) -> Bool {
        var newer = descendant.oid.raw
        var older = ancestor.oid.raw
        let code = git_graph_descendant_of(pointer, &newer, &older)
        try Libgit2.check(code < 0 ? code : 0, "cannot walk the history of \(descendant.shortSHA)")
        return code == 1
    }

    /// Commits in `tip`'s history that `base`'s lacks (how far `base` is behind `tip`).
    func commitsBehind(_ base: GitCommit, tip: GitCommit) throws(GitError) -> Int {
        var ahead = 0, behind = 0
        var local = base.oid.raw
        var upstream = tip.oid.raw
        try Libgit2.check(git_graph_ahead_behind(&ahead, &behind, pointer, &local, &upstream),
                          "cannot count the commits between \(base.shortSHA) and \(tip.shortSHA)")
        return behind
    }

    /// The branch HEAD is on (`main`), or nil when HEAD is detached or unborn.
    var currentBranch: String? {
        var head: OpaquePointer?
        guard git_repository_head(&head, pointer) == 0 else { return nil }
        defer { git_reference_free(head) }
        guard git_reference_is_branch(head) == 1, let name = git_reference_shorthand(head) else { return nil }
        return String(cString: name)
    }

    /// The id of the tree at `path` in the commit (nil when the commit has no such folder):
    /// equal ids mean identical contents.
    func treeId(of path: String, at commit: GitCommit) throws(GitError) -> String? {
        try withTree(of: commit) { root throws(GitError) -> String? in
            var entry: OpaquePointer?
            let code = git_tree_entry_bypath(&entry, root, path)
            if code == GIT_ENOTFOUND.rawValue { return nil }
            try Libgit2.check(code, "cannot look up \(path)")
            defer { git_tree_entry_free(entry) }
            return GitOID(git_tree_entry_id(entry).pointee).hex
        }
    }
}
