import CGit2
import FoundationEssentials
import Glibc

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

/// What a tree folder holds for a reader of files.
public struct TreeFiles: Sendable, Equatable {
    public var files: [String: [UInt8]] = [:]
    /// Path -> what it is instead of a readable file (a submodule, a symbolic link, too large).
    public var unreadable: [String: String] = [:]

    public init(files: [String: [UInt8]] = [:], unreadable: [String: String] = [:]) {
        self.files = files
        self.unreadable = unreadable
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
            // libgit2 refuses a repository another user owns (git's "dubious ownership") with the same
            // code as no repository at all: say which it is.
            if let owned = Self.ownedByAnotherUser(from: path) {
                throw GitError("""
                    the git repository at \(owned.path) is owned by uid \(owned.owner), not by this user \
                    (uid \(geteuid())), and git refuses it as of dubious ownership: run ballast as its owner \
                    (in a container, --user "$(id -u):$(id -g)"), or trust it with \
                    git config --global --add safe.directory \(owned.path)
                    """)
            }
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

    /// The nearest repository at or above `path` (a `.git` entry, or a bare repository's `HEAD` and
    /// `objects`) when another user owns it.
    static func ownedByAnotherUser(from path: String) -> (path: String, owner: uid_t)? {
        var folder = URL(fileURLWithPath: path).standardized.path
        while true {
            var info = stat()
            let isBare = access(folder + "/HEAD", F_OK) == 0 && access(folder + "/objects", F_OK) == 0
            if lstat(folder + "/.git", &info) == 0 || (isBare && lstat(folder, &info) == 0) {
                return info.st_uid == geteuid() ? nil : (folder, info.st_uid)
            }
            if folder == "/" || folder.isEmpty { return nil }
            folder = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        }
    }

    /// Resolves any revision git understands (`HEAD~2`, a sha prefix, a branch,
    /// an annotated tag) to the commit it names.
    public func commit(_ revision: String) throws(GitError) -> GitCommit {
        var object: OpaquePointer?
        let code = git_revparse_single(&object, pointer, revision)
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EAMBIGUOUS.rawValue || code == GIT_EINVALIDSPEC.rawValue {
            let why = code == GIT_EAMBIGUOUS.rawValue ? "ambiguous revision" : "unknown revision"
            if code == GIT_ENOTFOUND.rawValue, isShallow {
                throw GitError(
                    "\(why) '\(revision)' in \(workdir ?? gitDirectory), which is a shallow clone (it has only "
                        + "part of the history): fetch more with `git fetch --deepen=50` or `git fetch --unshallow` "
                        + "(GitHub Actions: actions/checkout with fetch-depth: 0)")
            }
            throw GitError("\(why) '\(revision)' in \(workdir ?? gitDirectory)")
        }
        try Libgit2.check(code, "cannot resolve revision '\(revision)'")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try Libgit2.check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "'\(revision)' does not name a commit")
        defer { git_object_free(peeled) }
        return commit(from: peeled!)
    }

    func commit(from commit: OpaquePointer) -> GitCommit {
        let oid = GitOID(git_commit_id(commit).pointee)
        let summary = git_commit_summary(commit).map { String(cString: $0) } ?? ""
        return GitCommit(sha: oid.hex, summary: summary, time: git_commit_time(commit), oid: oid)
    }

    /// The files under `directory` (a repository-relative path such as `desired-state`)
    /// in the commit's tree that `wanted` accepts, keyed by repository-relative path,
    /// and the entries that cannot be read as files (submodules, symbolic links, blobs
    /// over `maxBytes`, whose size is read from the object header first). Nil when the
    /// tree has no such directory. Reads objects; touches no working tree.
    public func files(under directory: String, at commit: GitCommit, wanted: (String) -> Bool,
                      maxBytes: Int) throws(GitError) -> TreeFiles? {
        try withTree(of: commit) { root throws(GitError) in
            try files(under: directory, in: root, wanted: wanted, maxBytes: maxBytes)
        }
    }

    private func files(under directory: String, in root: OpaquePointer?, wanted: (String) -> Bool,
                       maxBytes: Int) throws(GitError) -> TreeFiles? {
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, root, directory)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(code, "cannot look up \(directory)")
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return nil }

        var odb: OpaquePointer?
        try Libgit2.check(git_repository_odb(&odb, pointer), "cannot open the object database")
        defer { git_odb_free(odb) }
        var found = TreeFiles()
        try collect(tree: GitOID(git_tree_entry_id(entry).pointee), prefix: directory, odb: odb,
                    wanted: wanted, maxBytes: maxBytes, into: &found)
        return found
    }

    private func collect(
        tree oid: GitOID, prefix: String, odb: OpaquePointer?, wanted: (String) -> Bool, maxBytes: Int,
        into found: inout TreeFiles
    ) throws(GitError) {
        var raw = oid.raw
        var tree: OpaquePointer?
        try Libgit2.check(git_tree_lookup(&tree, pointer, &raw), "cannot read tree \(prefix)")
        defer { git_tree_free(tree) }
        for index in 0..<git_tree_entrycount(tree) {
            let entry = git_tree_entry_byindex(tree, index)  // owned by the tree
            let path = prefix + "/" + PathName.text(cString: git_tree_entry_name(entry))
            let id = GitOID(git_tree_entry_id(entry).pointee)
            switch (git_tree_entry_type(entry), git_tree_entry_filemode(entry)) {
            case (GIT_OBJECT_TREE, _):
                try collect(tree: id, prefix: path, odb: odb, wanted: wanted, maxBytes: maxBytes, into: &found)
            case (GIT_OBJECT_COMMIT, _):
                found.unreadable[path] = "a submodule"
            case (_, GIT_FILEMODE_LINK):
                found.unreadable[path] = "a symbolic link"
            case (GIT_OBJECT_BLOB, _) where wanted(path):
                var size = 0
                var type = GIT_OBJECT_ANY
                var rawId = id.raw
                try Libgit2.check(git_odb_read_header(&size, &type, odb, &rawId), "cannot read \(path)")
                if size > maxBytes {
                    found.unreadable[path] = "\(size) bytes, over the \(maxBytes)-byte limit for a file"
                } else {
                    found.files[path] = try blob(id, path: path)
                }
            default:
                continue
            }
        }
    }

    /// Paths under `folders` whose working-tree state differs from `commit`'s tree:
    /// changed, added (untracked included), or removed. Sizes and git's blob ids are
    /// compared (libgit2 stats first and hashes only same-size files), so a large
    /// untracked file costs a stat, not a read. Submodules and ignored files are left out.
    public func changedInWorkingTree(
        under folders: [String], comparedTo commit: GitCommit
    ) throws(GitError) -> [String] {
        try withTree(of: commit) { tree throws(GitError) in
            try changedInWorkingTree(under: folders, comparedTo: tree)
        }
    }

    private func changedInWorkingTree(
        under folders: [String], comparedTo tree: OpaquePointer?
    ) throws(GitError) -> [String] {
        var options = git_diff_options()
        try Libgit2.check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "cannot set up a diff")
        options.flags = GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
            | GIT_DIFF_IGNORE_SUBMODULES.rawValue | GIT_DIFF_DISABLE_PATHSPEC_MATCH.rawValue
        var diff: OpaquePointer?
        let specs = folders.map { strdup($0) }
        defer { specs.forEach { free($0) } }
        var pointers = specs.map { UnsafeMutablePointer<CChar>($0) }
        let code = pointers.withUnsafeMutableBufferPointer { buffer in
            options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_diff_tree_to_workdir(&diff, pointer, tree, &options)
        }
        try Libgit2.check(code, "cannot compare the working tree with HEAD")
        defer { git_diff_free(diff) }
        var paths: [String] = []
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index) else { continue }
            let file = delta.pointee.status == GIT_DELTA_DELETED ? delta.pointee.old_file : delta.pointee.new_file
            paths.append(PathName.text(cString: file.path))
        }
        return paths.sorted()
    }

    /// Runs `body` with the commit's root tree, freed afterwards.
    func withTree<T>(of commit: GitCommit, _ body: (OpaquePointer?) throws(GitError) -> T) throws(GitError) -> T {
        var rawOID = commit.oid.raw
        var commitHandle: OpaquePointer?
        try Libgit2.check(git_commit_lookup(&commitHandle, pointer, &rawOID), "cannot read commit \(commit.shortSHA)")
        defer { git_commit_free(commitHandle) }
        var tree: OpaquePointer?
        try Libgit2.check(git_commit_tree(&tree, commitHandle), "cannot read the tree of \(commit.shortSHA)")
        defer { git_tree_free(tree) }
        return try body(tree)
    }

    /// The repository has only part of its history (`git clone --depth`).
    public var isShallow: Bool { git_repository_is_shallow(pointer) == 1 }

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
