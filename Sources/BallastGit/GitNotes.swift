import CGit2

/// Git notes: text attached to a commit under a notes ref, shared by pushing
/// that ref. ballast keeps its apply journal in them.
extension GitRepository {
    /// Every note under `ref` as (annotated commit sha, note text); empty when the ref does not exist.
    public func notes(ref: String) throws(GitError) -> [(commit: String, text: String)] {
        var iterator: OpaquePointer?
        let code = git_note_iterator_new(&iterator, pointer, ref)
        if code == GIT_ENOTFOUND.rawValue { return [] }
        try Libgit2.check(code, "cannot list notes under \(ref)")
        defer { git_note_iterator_free(iterator) }
        var found: [(String, String)] = []
        var noteId = git_oid(), annotated = git_oid()
        while true {
            let step = git_note_next(&noteId, &annotated, iterator)
            if step == GIT_ITEROVER.rawValue { break }
            try Libgit2.check(step, "cannot read the notes under \(ref)")
            let text = try blob(GitOID(noteId), path: "note on \(GitOID(annotated).hex)")
            found.append((GitOID(annotated).hex, String(decoding: text, as: UTF8.self)))
        }
        return found
    }

    /// Appends `line` to the note on `commit` under `ref` (creating both as needed).
    /// The read and the write are one step here; callers serialise writers.
    public func appendNote(ref: String, commit: GitCommit, line: String) throws(GitError) {
        var target = commit.oid.raw
        var existing: OpaquePointer?
        var text = ""
        let code = git_note_read(&existing, pointer, ref, &target)
        if code == 0 {
            text = git_note_message(existing).map { String(cString: $0) } ?? ""
            git_note_free(existing)
        } else if code != GIT_ENOTFOUND.rawValue {
            try Libgit2.check(code, "cannot read the note on \(commit.shortSHA) under \(ref)")
        }
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += line + "\n"
        let signature = try Signature(self)
        var written = git_oid()
        try Libgit2.check(
            git_note_create(&written, pointer, ref, signature.pointer, signature.pointer, &target, text, 1),
            "cannot write the note on \(commit.shortSHA) under \(ref)")
    }
}

/// The committer git would use (user.name / user.email), or ballast's own when none is configured.
final class Signature {
    let pointer: UnsafeMutablePointer<git_signature>

    init(_ repository: GitRepository) throws(GitError) {
        var made: UnsafeMutablePointer<git_signature>?
        if git_signature_default(&made, repository.pointer) != 0 {
            try Libgit2.check(git_signature_now(&made, "ballast", "ballast@localhost"), "cannot make a git signature")
        }
        pointer = made!
    }

    deinit { git_signature_free(pointer) }

    var name: String { String(cString: pointer.pointee.name) }
    var email: String { String(cString: pointer.pointee.email) }
}

extension GitRepository {
    /// `user.name <user.email>` from git config, if both are set.
    public var configuredUser: String? {
        var made: UnsafeMutablePointer<git_signature>?
        guard git_signature_default(&made, pointer) == 0, let made else { return nil }
        defer { git_signature_free(made) }
        return "\(String(cString: made.pointee.name)) <\(String(cString: made.pointee.email))>"
    }
}

extension GitRepository {
    /// The first commit of `commit`'s history, following first parents: a fixed object to
    /// keep state on that every later revision shares.
    public func rootCommit(of commit: GitCommit) throws(GitError) -> GitCommit {
        var raw = commit.oid.raw
        var current: OpaquePointer?
        try Libgit2.check(git_commit_lookup(&current, pointer, &raw), "cannot read commit \(commit.shortSHA)")
        while git_commit_parentcount(current) > 0 {
            var parent: OpaquePointer?
            let code = git_commit_parent(&parent, current, 0)
            git_commit_free(current)
            try Libgit2.check(code, "cannot walk the history of \(commit.shortSHA)")
            current = parent
        }
        defer { git_commit_free(current) }
        return self.commit(from: current!)
    }

    /// The note on `commit` under `ref`, if any.
    public func note(ref: String, on commit: GitCommit) throws(GitError) -> String? {
        var target = commit.oid.raw
        var existing: OpaquePointer?
        let code = git_note_read(&existing, pointer, ref, &target)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try Libgit2.check(code, "cannot read the note on \(commit.shortSHA) under \(ref)")
        defer { git_note_free(existing) }
        return git_note_message(existing).map { String(cString: $0) }
    }

    /// Replaces the note on `commit` under `ref` with `text`.
    public func setNote(ref: String, on commit: GitCommit, text: String) throws(GitError) {
        var target = commit.oid.raw
        let signature = try Signature(self)
        var written = git_oid()
        try Libgit2.check(
            git_note_create(&written, pointer, ref, signature.pointer, signature.pointer, &target, text, 1),
            "cannot write the note on \(commit.shortSHA) under \(ref)")
    }
}
