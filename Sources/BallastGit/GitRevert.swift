import CGit2
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension GitRepository {
    /// Commits the revert of `revision` on HEAD, as `git revert` does: message
    /// `Revert "<subject>"` + `This reverts commit <sha>.`, index and working tree
    /// updated in a normal repository. Refuses, changing nothing, on a merge
    /// commit, on conflicts, on an empty revert, or when tracked files under
    /// `cleanPath` have uncommitted changes.
    public func revert(_ revision: String, cleanPath: String) throws(GitError) -> GitCommit {
        let reverted = try commit(revision)
        let head = try commit("HEAD")
        if workdir != nil {
            let dirty = try uncommittedPaths(under: cleanPath)
            if !dirty.isEmpty {
                throw GitError(
                    "cannot revert: uncommitted changes under \(cleanPath)/ "
                        + "(\(dirty.prefix(3).joined(separator: ", "))"
                        + (dirty.count > 3 ? " and \(dirty.count - 3) more" : "") + "); commit or stash them first")
            }
        }
        let revertedHandle = try lookup(reverted)
        defer { git_commit_free(revertedHandle) }
        guard git_commit_parentcount(revertedHandle) == 1 else {
            throw GitError(
                "cannot revert \(reverted.shortSHA): it is a merge commit (or has no parent); revert it with "
                    + "git revert -m"
            )
        }
        let headHandle = try lookup(head)
        defer { git_commit_free(headHandle) }

        var index: OpaquePointer?
        try Libgit2.check(git_revert_commit(&index, pointer, revertedHandle, headHandle, 0, nil),
                          "cannot revert \(reverted.shortSHA)")
        defer { git_index_free(index) }
        let conflicts = conflictedPaths(index!)
        if !conflicts.isEmpty {
            throw GitError("cannot revert \(reverted.shortSHA): it conflicts with later commits in "
                + conflicts.joined(separator: ", ") + "; resolve it with git revert and commit by hand")
        }
        var treeId = git_oid()
        try Libgit2.check(git_index_write_tree_to(&treeId, index, pointer), "cannot write the reverted tree")
        if treeId == git_commit_tree_id(headHandle).pointee {
            throw GitError("reverting \(reverted.shortSHA) changes nothing: HEAD already undoes it")
        }
        var tree: OpaquePointer?
        try Libgit2.check(git_tree_lookup(&tree, pointer, &treeId), "cannot read the reverted tree")
        defer { git_tree_free(tree) }

        if workdir != nil {
            // Before the commit, so the checkout's baseline is the HEAD the working tree matches.
            try checkout(tree!)
        }
        let message = "Revert \"\(reverted.summary)\"\n\nThis reverts commit \(reverted.sha).\n"
        return try commitOnHead(tree!, parent: headHandle, message: message, what: "the revert")
    }

    /// Commits `tree` on HEAD (whose commit is `parent`) with `message`, as git's configured user.
    func commitOnHead(_ tree: OpaquePointer, parent: OpaquePointer, message: String,
                      what: String) throws(GitError) -> GitCommit {
        let signature = try Signature(self)
        var created = git_oid()
        var parents: [OpaquePointer?] = [parent]
        try Libgit2.check(git_commit_create(&created, pointer, "HEAD", signature.pointer, signature.pointer, nil,
                                            message, tree, 1, &parents), "cannot commit \(what)")
        return try commit(GitOID(created).hex)
    }

    /// Writes `tree` into the working tree and index, never over local changes;
    /// a refusal names the files in the way.
    func checkout(_ tree: OpaquePointer) throws(GitError) {
        final class Paths { var list: [String] = [] }
        let blocked = Paths()
        var options = git_checkout_options()
        git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        options.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT.rawValue
        options.notify_payload = Unmanaged.passUnretained(blocked).toOpaque()
        options.notify_cb = { _, path, _, _, _, payload in
            if let path, let payload {
                Unmanaged<Paths>.fromOpaque(payload).takeUnretainedValue().list.append(String(cString: path))
            }
            return 0
        }
        let code = withExtendedLifetime(blocked) { git_checkout_tree(pointer, tree, &options) }
        if code < 0 && !blocked.list.isEmpty {
            throw GitError(
                "cannot revert: local changes to \(blocked.list.joined(separator: ", ")) would be overwritten; "
                    + "commit or stash them first"
            )
        }
        try Libgit2.check(code, "cannot update the working tree for the revert")
    }

    /// Tracked paths under `path` whose index or working copy differs from HEAD.
    public func uncommittedPaths(under path: String) throws(GitError) -> [String] {
        var options = git_status_options()
        git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION))
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = 0  // tracked files only, like git revert
        var list: OpaquePointer?
        let spec = strdup(path)
        defer { free(spec) }
        var specs: [UnsafeMutablePointer<CChar>?] = [spec]
        let code = specs.withUnsafeMutableBufferPointer { buffer in
            options.pathspec = git_strarray(strings: buffer.baseAddress, count: 1)
            return git_status_list_new(&list, pointer, &options)
        }
        try Libgit2.check(code, "cannot read the working tree's status")
        defer { git_status_list_free(list) }
        return (0..<git_status_list_entrycount(list)).compactMap { i in
            guard let entry = git_status_byindex(list, i)?.pointee else { return nil }
            let delta = entry.head_to_index ?? entry.index_to_workdir
            return delta.flatMap { $0.pointee.new_file.path ?? $0.pointee.old_file.path }.map { String(cString: $0) }
        }
    }

    func lookup(_ commit: GitCommit) throws(GitError) -> OpaquePointer {
        var raw = commit.oid.raw
        var handle: OpaquePointer?
        try Libgit2.check(git_commit_lookup(&handle, pointer, &raw), "cannot read commit \(commit.shortSHA)")
        return handle!
    }

    /// Paths with a conflict stage (1 to 3) in the index.
    func conflictedPaths(_ index: OpaquePointer) -> [String] {
        guard git_index_has_conflicts(index) != 0 else { return [] }
        var paths = Set<String>()
        for i in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, i)?.pointee else { continue }
            let stage = (Int(entry.flags) & 0x3000) >> 12  // GIT_INDEX_ENTRY_STAGEMASK / STAGESHIFT
            if stage > 0 { paths.insert(String(cString: entry.path)) }
        }
        return paths.sorted()
    }
}

extension git_oid: @retroactive Equatable {
    public static func == (a: git_oid, b: git_oid) -> Bool {
        var a = a, b = b
        return git_oid_cmp(&a, &b) == 0
    }
}
