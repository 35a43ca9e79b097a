import CGit2

/// A commit, copied out of libgit2.
public struct GitCommit: Sendable, Hashable {
    public let sha: String
    public let summary: String
    /// Seconds since 1970.
    public let time: Int64
    let oid: GitOID

    public var shortSHA: String { String(sha.prefix(12)) }
}

/// A 20-byte object id as a Swift value.
struct GitOID: Sendable, Hashable {
    let bytes: [UInt8]

    init(_ oid: git_oid) {
        bytes = withUnsafeBytes(of: oid.id) { Array($0) }
    }

    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }

    var hex: String {
        bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// A git repository opened through libgit2 (normal or bare). Owns the
/// repository pointer; every other handle is freed in the scope that made it.
public final class GitRepository {
    let pointer: OpaquePointer
    /// Working tree root without a trailing slash; nil for a bare repository.
    public let workdir: String?
    /// The `.git` directory (or the bare repository itself), without a trailing slash.
    public let gitDirectory: String

    public var isBare: Bool { workdir == nil }

    /// Opens the repository at `path` or the nearest one above it, as git does.
    public init(discoveringFrom path: String) throws(GitError) {
        _ = Libgit2.initialized
        var repo: OpaquePointer?
        let code = git_repository_open_ext(&repo, path, 0, nil)
        if code == GIT_ENOTFOUND.rawValue {
            throw GitError("not a git repository: \(path) (nor any folder above it)")
        }
        try Libgit2.check(code, "cannot open the git repository at \(path)")
        pointer = repo!
        workdir = git_repository_workdir(pointer).map { String(cString: $0).trimmingTrailingSlash }
        gitDirectory = String(cString: git_repository_path(pointer)).trimmingTrailingSlash
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Resolves any revision git understands (`HEAD~2`, a sha prefix, a branch,
    /// an annotated tag) to the commit it names.
    public func commit(_ revision: String) throws(GitError) -> GitCommit {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, pointer, revision)
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EAMBIGUOUS.rawValue || code == GIT_EINVALIDSPEC.rawValue {
            let why = code == GIT_EAMBIGUOUS.rawValue ? "ambiguous revision" : "unknown revision"
            throw GitError("\(why) '\(revision)' in \(workdir ?? gitDirectory)")
        }
        try Libgit2.check(code, "cannot resolve revision '\(revision)'")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try Libgit2.check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "'\(revision)' does not name a commit")
        defer { git_object_free(peeled) }
        return commit(from: peeled!)
    }

    private func commit(from commit: OpaquePointer) -> GitCommit {
        let oid = GitOID(git_commit_id(commit).pointee)
        let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        return GitCommit(sha: oid.hex, summary: summary, time: git_commit_time(commit), oid: oid)
    }

    /// Every file under `directory` (a repository-relative path such as
    /// `desired-state`) in the commit's tree, keyed by repository-relative path.
    /// Nil when the tree has no such directory. Reads objects; touches no working tree.
    public func files(under directory: String, at commit: GitCommit) throws(GitError) -> [String: [UInt8]]? {
        var rawOID = commit.oid.raw
        var commitHandle: OpaquePointer?
        try Libgit2.check(git_commit_lookup(&commitHandle, pointer, &rawOID), "cannot read commit \(commit.shortSHA)")
        defer { git_commit_free(commitHandle) }
        var root: OpaquePointer?
        try Libgit2.check(git_commit_tree(&root, commitHandle), "cannot read the tree of \(commit.shortSHA)")
        defer { git_tree_free(root) }

        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, root, directory)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(code, "cannot look up \(directory) in \(commit.shortSHA)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return nil }

        var files: [String: [UInt8]] = [:]
        try collect(tree: GitOID(git_tree_entry_id(entry).pointee), prefix: directory, into: &files)
        return files
    }

    private func collect(tree oid: GitOID, prefix: String, into files: inout [String: [UInt8]]) throws(GitError) {
        var raw = oid.raw
        var tree: OpaquePointer?
        try Libgit2.check(git_tree_lookup(&tree, pointer, &raw), "cannot read tree \(prefix)")
        defer { git_tree_free(tree) }
        for index in 0..<git_tree_entrycount(tree) {
            let entry = git_tree_entry_byindex(tree, index)  // owned by the tree
            let path = prefix + "/" + String(cString: git_tree_entry_name(entry))
            let id = GitOID(git_tree_entry_id(entry).pointee)
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE: try collect(tree: id, prefix: path, into: &files)
            case GIT_OBJECT_BLOB: files[path] = try blob(id, path: path)
            default: continue  // submodules are not desired state
            }
        }
    }

    func blob(_ oid: GitOID, path: String) throws(GitError) -> [UInt8] {
        var raw = oid.raw
        var blob: OpaquePointer?
        try Libgit2.check(git_blob_lookup(&blob, pointer, &raw), "cannot read \(path)")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }
}

extension String {
    var trimmingTrailingSlash: String {
        hasSuffix("/") && count > 1 ? String(dropLast()) : self
    }

    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
