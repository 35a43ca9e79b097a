import CGit2

/// Who last changed a line of a committed file: `git blame` through libgit2.
public struct GitBlameLine: Sendable, Equatable {
    public let commit: String
    public let author: String
    /// Seconds since 1970, the author's time.
    public let time: Int64
    public let summary: String
}

extension GitRepository {
    /// The commit that last set line `line` (1-based) of `path` as of `commit`; nil when the file
    /// or the line is not there.
    public func blame(_ path: String, line: Int, at commit: GitCommit) throws(GitError) -> GitBlameLine? {
        guard line > 0 else { return nil }
        var options = git_blame_options()
        try Libgit2.check(git_blame_options_init(&options, UInt32(GIT_BLAME_OPTIONS_VERSION)), "cannot blame \(path)")
        options.newest_commit = commit.oid.raw
        options.min_line = line
        options.max_line = line
        var blame: OpaquePointer?
        let code = git_blame_file(&blame, pointer, path, &options)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(code, "cannot blame \(path)")
        defer { git_blame_free(blame) }
        guard let hunk = git_blame_get_hunk_byline(blame, line) else { return nil }
        var id = hunk.pointee.final_commit_id
        var found: OpaquePointer?
        try Libgit2.check(git_commit_lookup(&found, pointer, &id), "cannot read the commit that set \(path):\(line)")
        defer { git_commit_free(found) }
        let author = git_commit_author(found)
        let name = author.flatMap { $0.pointee.name.map { String(cString: $0) } } ?? ""
        let summary = git_commit_summary(found).map { String(cString: $0) } ?? ""
        return GitBlameLine(commit: GitOID(id).hex, author: name,
                            time: author?.pointee.when.time ?? git_commit_time(found), summary: summary)
    }
}
