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
                if let entry = (try? JSON.parse(String(line))).flatMap(JournalEntry.init(json:)) { latest[entry.id] = entry }
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
        guard fd >= 0 else { throw JournalProblem("journal: cannot open \(path): \(String(cString: strerror(errno)))") }
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

/// The journal's copy in a lock table: item `ballast/journal/<env>/<time>/<id>`.
public struct LockTableJournal: Sendable {
    let table: String
    let client: any AWSAPI

    public init(table: String, client: any AWSAPI) {
        self.table = table
        self.client = client
    }

    func key(_ entry: JournalEntry, _ environment: String) -> String {
        "ballast/journal/\(environment)/\(Timestamp.iso8601(entry.time))/\(entry.id)"
    }

    func runningKey(_ environment: String) -> Value { ["LockID": ["S": .string("ballast/running/\(environment)")]] }

    /// One item per environment of the entry; the same key on a retry, so a repeat is harmless.
    /// The intent and the entry that ends it share the key: the end replaces the intent.
    public func record(_ entry: JournalEntry, environment: String) async throws {
        _ = try await client.json(.putItem, [
            "TableName": .string(table),
            "Item": ["LockID": ["S": .string(key(entry, environment))],
                     "Entry": ["S": .string(JSON.encode(Secrets.scrub(entry.json)))]],
        ])
    }

    /// Points `ballast/running/<env>` at the intent, for the next apply to find if this one dies.
    func markRunning(_ intent: JournalEntry, environment: String) async throws {
        guard case .map(var item) = runningKey(environment) else { return }
        item["Journal"] = ["S": .string(key(intent, environment))]
        _ = try await client.json(.putItem, ["TableName": .string(table), "Item": .map(item)])
    }

    /// Adds a finished write's index to the intent's `Applied` or `Failed` number set
    /// (a set: a retried add changes nothing).
    func recordProgress(_ intent: JournalEntry, environment: String, index: Int, outcome: JournalEntry.Written) async throws {
        _ = try await client.json(.updateItem, [
            "TableName": .string(table), "Key": ["LockID": ["S": .string(key(intent, environment))]],
            "UpdateExpression": .string("ADD \(Self.progressAttribute(outcome)) :index"),
            "ExpressionAttributeValues": [":index": ["NS": [.string(String(index))]]],
        ])
    }

    /// The lock-table item's number set a write's index goes in: started, failed, applied.
    static func progressAttribute(_ outcome: JournalEntry.Written) -> String {
        switch outcome {
        case .applied: "Applied"
        case .unknown: "Started"
        default: "Failed"
        }
    }

    /// Removes the running mark if it still names this apply.
    func clearRunning(environment: String, id: String) async throws {
        do {
            _ = try await client.json(.deleteItem, [
                "TableName": .string(table), "Key": runningKey(environment),
                "ConditionExpression": "contains(Journal, :id)",
                "ExpressionAttributeValues": [":id": ["S": .string(id)]],
            ])
        } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
            return
        }
    }

    /// The apply marked running in this environment, closed as interrupted: the caller
    /// holds the lock, so it is not running any more.
    func runningEntry(environment: String) async throws -> JournalEntry? {
        let mark = try await client.json(.getItem, ["TableName": .string(table), "Key": runningKey(environment),
                                                                "ConsistentRead": true])
        guard let key = mark["Item"]?["Journal"]?["S"]?.string else { return nil }
        let answer = try await client.json(.getItem, ["TableName": .string(table), "ConsistentRead": true,
                                                                  "Key": ["LockID": ["S": .string(key)]]])
        guard let item = answer["Item"], let text = item["Entry"]?["S"]?.string,
              let entry = (try? JSON.parse(text)).flatMap(JournalEntry.init(json:)), entry.stage == .started else {
            return nil
        }
        var progress: [Int: (JournalEntry.Written, String?)] = [:]
        // Started first: a write's end overrides its start.
        for outcome in [JournalEntry.Written.unknown, .failed, .applied] {
            let attribute = Self.progressAttribute(outcome)
            for index in (item[attribute]?["NS"]?.list ?? []).compactMap({ $0.string.flatMap { Int($0) } }) {
                progress[index] = (outcome, nil)
            }
        }
        return entry.interrupted(progress: progress, startsRecorded: item[Self.progressAttribute(.unknown)] != nil)
    }

    /// Every entry of `environment` kept in the table, newest first.
    public func entries(environment: String) async throws -> [JournalEntry] {
        let items = try await Self.items(startingWith: "ballast/journal/\(environment)/", in: table, client: client)
        return Journal.newestFirst(items.compactMap { item in
            item["Entry"]?["S"]?.string.flatMap { try? JSON.parse($0) }.flatMap(JournalEntry.init(json:))
        })
    }

    /// ballast's bound on a lock table's pages read by one scan: 100 MB at DynamoDB's 1 MB a page ("Scanning
    /// tables in DynamoDB": "A single Scan request can retrieve a maximum of 1 MB of data").
    static let maxScanPages = 100

    /// The table's items whose `LockID` starts with `prefix` (the journal's entries, an environment's
    /// holds), every page up to `maxScanPages`.
    static func items(startingWith prefix: String, in table: String, client: any AWSAPI) async throws -> [Value] {
        var found: [Value] = []
        var start: Value?
        for _ in 0..<maxScanPages {
            var input: [String: Value] = [
                "TableName": .string(table), "FilterExpression": "begins_with(LockID, :prefix)",
                "ExpressionAttributeValues": [":prefix": ["S": .string(prefix)]],
            ]
            if let start { input["ExclusiveStartKey"] = start }
            let page = try await client.json(.scan, .map(input))
            found += page["Items"]?.list ?? []
            start = page["LastEvaluatedKey"]
            if start == nil { break }
        }
        return found
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

/// The apply journal (git notes) could not be read or written.
public struct JournalError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
