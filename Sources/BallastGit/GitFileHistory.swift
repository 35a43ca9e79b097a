import CGit2

/// One version of a file along a branch's first-parent history: the commit that made it, and its contents.
public struct GitFileVersion: Sendable {
    public let commit: String
    public let author: String
    /// Seconds since 1970, the author's time.
    public let time: Int64
    public let summary: String
    /// The file as that commit left it; nil when the commit has no such file (or it is larger than asked).
    public let contents: [UInt8]?
}

extension GitRepository {
    /// The versions of `path` along `commit`'s first-parent history, newest first: `commit`'s own, then each
    /// commit whose file differs from its parent's (by blob id, so unchanged commits cost a tree lookup), the
    /// oldest one with the file last; at most `walk` commits are walked and `versions` versions kept (a long
    /// history is cut, never read whole). A file over `maxBytes` is kept without its contents.
    public func fileVersions(_ path: String, from commit: GitCommit, walk: Int = 2_000, versions: Int = 200,
                             maxBytes: Int = 16 * 1024 * 1024) throws(GitError) -> [GitFileVersion] {
        var raw = commit.oid.raw
        var current: OpaquePointer?
        try Libgit2.check(git_commit_lookup(&current, pointer, &raw), "cannot read commit \(commit.shortSHA)")
        defer { git_commit_free(current) }
        var out: [GitFileVersion] = []
        var walked = 0
        var handle = current
        var owned: [OpaquePointer?] = []
        defer { owned.forEach { git_commit_free($0) } }
        while let here = handle, walked < walk, out.count < versions {
            walked += 1
            let blob = try blobId(path, in: here)
            var parent: OpaquePointer?
            let hasParent = git_commit_parentcount(here) > 0 && git_commit_parent(&parent, here, 0) == 0
            if hasParent { owned.append(parent) }
            let before = hasParent ? try blobId(path, in: parent) : nil
            if walked == 1 || blob != before {
                let author = git_commit_author(here)
                var contents: [UInt8]?
                if let blob, let size = try? blobSize(blob), size <= maxBytes {
                    contents = try self.blob(blob, path: path)
                }
                out.append(GitFileVersion(
                    commit: GitOID(git_commit_id(here).pointee).hex,
                    author: author.flatMap { $0.pointee.name.map { String(cString: $0) } } ?? "",
                    time: author?.pointee.when.time ?? git_commit_time(here),
                    summary: git_commit_summary(here).map { String(cString: $0) } ?? "", contents: contents))
                if blob == nil { break }  // the file begins after this commit
            }
            handle = hasParent ? parent : nil
        }
        return out
    }

    /// The blob id of `path` in a commit's tree; nil when it has none.
    func blobId(_ path: String, in commit: OpaquePointer?) throws(GitError) -> GitOID? {
        var tree: OpaquePointer?
        try Libgit2.check(git_commit_tree(&tree, commit), "cannot read a tree while reading the history of \(path)")
        defer { git_tree_free(tree) }
        var entry: OpaquePointer?
        guard git_tree_entry_bypath(&entry, tree, path) == 0 else { return nil }
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return nil }
        return GitOID(git_tree_entry_id(entry).pointee)
    }

    func blobSize(_ oid: GitOID) throws(GitError) -> Int {
        var size: Int = 0
        var type = GIT_OBJECT_INVALID
        var raw = oid.raw
        var odb: OpaquePointer?
        try Libgit2.check(git_repository_odb(&odb, pointer), "cannot open the object database")
        defer { git_odb_free(odb) }
        try Libgit2.check(git_odb_read_header(&size, &type, odb, &raw), "cannot read an object's size")
        return size
    }
}
