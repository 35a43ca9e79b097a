import CGit2

extension GitRepository {
    /// Commits the working tree's version of `paths` (relative to the root) on HEAD with `message`,
    /// as `git add PATHS && git commit` does; nothing else in the index is committed. Refuses when
    /// the repository is bare or has no HEAD.
    public func commit(paths: [String], message: String) throws(GitError) -> GitCommit {
        guard workdir != nil else { throw GitError("cannot commit in a bare repository") }
        let head = try commit("HEAD")
        let headHandle = try lookup(head)
        defer { git_commit_free(headHandle) }
        var index: OpaquePointer?
        try Libgit2.check(git_repository_index(&index, pointer), "cannot read the index")
        defer { git_index_free(index) }
        for path in paths {
            try Libgit2.check(git_index_add_bypath(index, path), "cannot stage \(path)")
        }
        try Libgit2.check(git_index_write(index), "cannot write the index")
        var treeId = git_oid()
        try Libgit2.check(git_index_write_tree(&treeId, index), "cannot write the tree")
        var tree: OpaquePointer?
        try Libgit2.check(git_tree_lookup(&tree, pointer, &treeId), "cannot read the tree")
        defer { git_tree_free(tree) }
        return try commitOnHead(tree!, parent: headHandle, message: message, what: paths.joined(separator: ", "))
    }
}
