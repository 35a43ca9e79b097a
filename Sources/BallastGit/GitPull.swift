import CGit2

extension GitRepository {
    public enum PullResult: Sendable, Equatable {
        case upToDate(GitCommit)
        /// HEAD's branch moved from the first commit to the second.
        case fastForwarded(GitCommit, GitCommit)
    }

    /// `git pull --ff-only` for the checked-out branch: fetches its upstream's remote,
    /// then moves the branch (and the working tree, safely) to the upstream commit when
    /// that only adds commits. Refuses, changing nothing, when HEAD is detached, the
    /// branch has no upstream, or the two have diverged.
    public func pullFastForward() throws(GitError) -> PullResult {
        var head: OpaquePointer?
        try Libgit2.check(git_repository_head(&head, pointer), "cannot read HEAD")
        defer { git_reference_free(head) }
        guard git_reference_is_branch(head) != 0 else {
            throw GitError("cannot pull: HEAD is detached (check out a branch)")
        }
        let branch = String(cString: git_reference_shorthand(head))
        var upstream: OpaquePointer?
        if git_branch_upstream(&upstream, head) < 0 {
            throw GitError("cannot pull: branch \(branch) has no upstream "
                + "(git branch --set-upstream-to origin/\(branch))")
        }
        let upstreamName = String(cString: git_reference_name(upstream))
        git_reference_free(upstream)
        try fetch(remoteOf: upstreamName)

        var before = git_oid(), after = git_oid()
        try Libgit2.check(git_reference_name_to_id(&before, pointer, "HEAD"), "cannot read HEAD")
        try Libgit2.check(git_reference_name_to_id(&after, pointer, upstreamName), "cannot read \(upstreamName)")
        let old = try commit(GitOID(before).hex)
        if before == after || git_graph_descendant_of(pointer, &before, &after) == 1 { return .upToDate(old) }
        guard git_graph_descendant_of(pointer, &after, &before) == 1 else {
            throw GitError("cannot pull: \(branch) and \(upstreamName) have diverged; only fast-forwards are taken")
        }
        var target: OpaquePointer?
        try Libgit2.check(
            git_object_lookup(&target, pointer, &after, GIT_OBJECT_COMMIT), "cannot read \(upstreamName)")
        defer { git_object_free(target) }
        if workdir != nil {
            var options = git_checkout_options()
            try Libgit2.check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)),
                              "cannot set up a checkout")
            options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
            try Libgit2.check(git_checkout_tree(pointer, target, &options),
                              "cannot fast-forward the working tree of \(branch) (local changes in the way?)")
        }
        var moved: OpaquePointer?
        let message = "ballast watch: fast-forward to \(upstreamName)"
        try Libgit2.check(git_reference_set_target(&moved, head, &after, message),
                          "cannot move \(branch)")
        git_reference_free(moved)
        return .fastForwarded(old, try commit(GitOID(after).hex))
    }

    /// Fetches the remote that `refs/remotes/<remote>/<branch>` belongs to, with its configured refspecs.
    private func fetch(remoteOf upstreamName: String) throws(GitError) {
        var name = git_buf()
        defer { git_buf_dispose(&name) }
        try Libgit2.check(git_branch_remote_name(&name, pointer, upstreamName),
                          "cannot tell the remote of \(upstreamName)")
        let remoteName = String(cString: name.ptr)
        var remote: OpaquePointer?
        try Libgit2.check(git_remote_lookup(&remote, pointer, remoteName), "cannot find remote \(remoteName)")
        defer { git_remote_free(remote) }
        try Libgit2.check(git_remote_fetch(remote, nil, nil, "ballast watch: fetch"), "cannot fetch \(remoteName)")
    }
}
