import BallastCore
import BallastGit
import FoundationEssentials
import Glibc

/// The apply journal: one JSON line per apply in a git note on the applied
/// commit under `refs/notes/ballast` (push that ref to share it), and an item
/// per apply in the environment's lock table when it has one.
public struct Journal: Sendable {
    public static let notesRef = "refs/notes/ballast"
    let repositoryPath: String

    public init(repositoryPath: String) {
        self.repositoryPath = repositoryPath
    }

    /// Appends `entry` to the note on `commit`. Writers on one repository take
    /// turns through an exclusive file, so no entry is lost to a concurrent write.
    public func record(_ entry: JournalEntry, on commitSHA: String) throws {
        do {
            let repository = try GitRepository(discoveringFrom: repositoryPath)
            let commit = try repository.commit(commitSHA)
            try withExclusiveFile(repository.gitDirectory + "/ballast-journal.lock") {
                try repository.appendNote(ref: Self.notesRef, commit: commit,
                                          line: JSON.encode(Secrets.scrub(entry.json)))
            }
        } catch let error as GitError {
            throw JournalProblem("journal: \(error.message)")
        }
    }

    /// Every entry in the notes, newest first.
    public func entries() throws -> [JournalEntry] {
        let repository = try openRepository()
        let notes = try step { () throws(GitError) in try repository.notes(ref: Self.notesRef) }
        var latest: [String: JournalEntry] = [:]
        for note in notes {
            for line in note.text.split(separator: "\n") {
                // An apply's intent and the entry that ends it share an id: the later line is the truth.
                if let entry = (try? JSON.parse(String(line))).flatMap(JournalEntry.init(json:)) {
                    latest[entry.id] = entry
                }
            }
        }
        return Self.newestFirst(Array(latest.values))
    }

    public static func newestFirst(_ entries: [JournalEntry]) -> [JournalEntry] {
        entries.sorted { ($0.time, $0.id) > ($1.time, $1.id) }
    }

    func openRepository() throws -> GitRepository {
        try step { () throws(GitError) in try GitRepository(discoveringFrom: repositoryPath) }
    }

    func step<T>(_ body: () throws(GitError) -> T) throws -> T {
        do { return try body() } catch { throw JournalError("journal: \(error.message)") }
    }

    /// Holds a `flock` on `path` while `body` runs. The kernel drops it when its
    /// holder dies, so a writer killed mid-note never blocks the next one.
    func withExclusiveFile(_ path: String, _ body: () throws -> Void) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw JournalProblem("journal: cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var locked = false
        for _ in 0..<200 {
            locked = flock(fd, LOCK_EX | LOCK_NB) == 0
            if locked || errno != EWOULDBLOCK { break }
            usleep(50_000)
        }
        guard locked else { throw JournalProblem("journal: another ballast held \(path) for 10 s") }
        defer { flock(fd, LOCK_UN) }
        try body()
    }
}

/// Who applies: the CI's user when a CI runs it, else git's user, else the login.
public enum Actor {
    static let ciVariables = [
        "GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR", "CIRCLE_USERNAME",
        "BITBUCKET_STEP_TRIGGERER_UUID",
    ]

    public static func current(
        repositoryPath: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let explicit = environment["BALLAST_ACTOR"], !explicit.isEmpty { return explicit }
        for name in ciVariables { if let value = environment[name], !value.isEmpty { return value } }
        if let user = (try? GitRepository(discoveringFrom: repositoryPath))?.configuredUser { return user }
        return environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }
}

/// The apply journal (git notes) could not be read or written.
public struct JournalError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
