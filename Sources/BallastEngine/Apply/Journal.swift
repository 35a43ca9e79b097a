import BallastAWS
import BallastCore
import BallastGit
import Foundation

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
        let repository = try openRepository()
        let commit = try step { () throws(GitError) in try repository.commit(commitSHA) }
        let turn = repository.gitDirectory + "/ballast-journal.lock"
        try withExclusiveFile(turn) {
            try step { () throws(GitError) in try repository.appendNote(ref: Self.notesRef, commit: commit, line: JSON.encode(entry.json)) }
        }
    }

    /// Every entry in the notes, newest first.
    public func entries() throws -> [JournalEntry] {
        let repository = try openRepository()
        let notes = try step { () throws(GitError) in try repository.notes(ref: Self.notesRef) }
        let entries = notes.flatMap { note in
            note.text.split(separator: "\n").compactMap { line in (try? JSON.parse(String(line))).flatMap(JournalEntry.init(json:)) }
        }
        return Self.newestFirst(entries)
    }

    public static func newestFirst(_ entries: [JournalEntry]) -> [JournalEntry] {
        entries.sorted { ($0.time, $0.id) > ($1.time, $1.id) }
    }

    func openRepository() throws -> GitRepository {
        try step { () throws(GitError) in try GitRepository(discoveringFrom: repositoryPath) }
    }

    func step<T>(_ body: () throws(GitError) -> T) throws -> T {
        do { return try body() } catch { throw LoadError("journal: \(error.message)") }
    }

    func withExclusiveFile(_ path: String, _ body: () throws -> Void) throws {
        var fd: Int32 = -1
        for _ in 0..<200 {
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if fd >= 0 || errno != EEXIST { break }
            usleep(50_000)
        }
        guard fd >= 0 else { throw LoadError("journal: \(path) stayed taken for 10 s; remove it if no ballast is running") }
        close(fd)
        defer { unlink(path) }
        try body()
    }
}

/// The journal's copy in a lock table: item `ballast/journal/<env>/<time>/<id>`.
public struct LockTableJournal: Sendable {
    let table: String
    let client: AWSClient

    public init(table: String, client: AWSClient) {
        self.table = table
        self.client = client
    }

    /// One item per environment of the entry; the same key on a retry, so a repeat is harmless.
    public func record(_ entry: JournalEntry, environment: String) async throws {
        let key = "ballast/journal/\(environment)/\(Timestamp.iso8601(entry.time))/\(entry.id)"
        _ = try await client.json(.dynamodb, "PutItem", [
            "TableName": .string(table),
            "Item": ["LockID": ["S": .string(key)], "Entry": ["S": .string(JSON.encode(entry.json))]],
        ])
    }

    /// Every entry of `environment` kept in the table, newest first.
    public func entries(environment: String) async throws -> [JournalEntry] {
        var found: [JournalEntry] = []
        var start: Value?
        repeat {
            var input: [String: Value] = [
                "TableName": .string(table), "FilterExpression": "begins_with(LockID, :prefix)",
                "ExpressionAttributeValues": [":prefix": ["S": .string("ballast/journal/\(environment)/")]],
            ]
            if let start { input["ExclusiveStartKey"] = start }
            let page = try await client.json(.dynamodb, "Scan", .map(input))
            for item in page["Items"]?.list ?? [] {
                if let text = item["Entry"]?["S"]?.string, let entry = (try? JSON.parse(text)).flatMap(JournalEntry.init(json:)) {
                    found.append(entry)
                }
            }
            start = page["LastEvaluatedKey"]
        } while start != nil
        return Journal.newestFirst(found)
    }
}

/// Who applies: the CI's user when a CI runs it, else git's user, else the login.
public enum Actor {
    static let ciVariables = ["GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILDKITE_BUILD_CREATOR", "CIRCLE_USERNAME", "BITBUCKET_STEP_TRIGGERER_UUID"]

    public static func current(repositoryPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["BALLAST_ACTOR"], !explicit.isEmpty { return explicit }
        for name in ciVariables { if let value = environment[name], !value.isEmpty { return value } }
        if let user = (try? GitRepository(discoveringFrom: repositoryPath))?.configuredUser { return user }
        return environment["USER"] ?? environment["LOGNAME"] ?? "unknown"
    }
}
