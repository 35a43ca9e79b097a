import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials

/// An environment's lock table in DynamoDB: the `LockTable` port as items under the partition key
/// `LockID` (string), as Terraform's lock tables have. The lock is `ballast/lock/<env>`, the
/// journal's copy `ballast/journal/<env>/<time>/<id>` (and the running mark `ballast/running/<env>`),
/// each hold `ballast/hold/<env>/<id>`, the drift-notify state `ballast/drift-notify/<env>`.
public struct DynamoDBLockTable: LockTable {
    let table: String
    let client: any AWSAPI

    public init(table: String, client: any AWSAPI) {
        self.table = table
        self.client = client
    }

    /// Each environment's lock table, reached with the client of its region and role.
    public static func tables(_ clients: @escaping AWSClients) -> LockTables {
        { table, environment in
            DynamoDBLockTable(table: table, client: clients(environment.region, environment.assumeRole))
        }
    }

    public var place: String { "DynamoDB table \(table) in \(client.region)" }

    public func lock(environment: String, owner: LockOwner) -> any ApplyLock {
        DynamoDBLock(table: table, environment: environment, owner: owner, client: client)
    }

    static func holdKey(_ environment: String, _ id: String) -> String { "ballast/hold/\(environment)/\(id)" }

    /// The environment's hold items (a hold over 16 KiB is none: ballast's bound).
    public func holds(environment: String) async throws -> [Hold] {
        let items = try await items(startingWith: Self.holdKey(environment, ""))
        return items.compactMap { item in
            guard let text = item["Hold"]?["S"]?.string, text.utf8.count <= 16_384,
                  let hold = (try? JSON.parse(text)).flatMap(Hold.init(json:)),
                  hold.resource.environment == environment
            else { return nil }
            return hold
        }
    }

    public func keep(_ hold: Hold) async throws {
        _ = try await client.json(.putItem, .map([
            "TableName": .string(table),
            "Item": ["LockID": ["S": .string(Self.holdKey(hold.resource.environment, hold.id))],
                     "Hold": ["S": .string(JSON.encode(hold.json))]],
        ]))
    }

}

/// The lock of an environment with a `lockTable`: one item per environment,
/// taken with a conditional PutItem, so applies from any CI runner exclude
/// each other. The table's partition key is `LockID` (string), as Terraform's
/// lock tables have; `Expires` (epoch seconds) can be the table's TTL attribute.
struct DynamoDBLock: ApplyLock {
    /// A crashed apply's lock lapses after this; no apply holds a lock this long.
    static let lifetime: TimeInterval = 3600

    let table: String
    let environment: String
    let owner: LockOwner
    let client: any AWSAPI

    init(table: String, environment: String, owner: LockOwner, client: any AWSAPI) {
        self.table = table
        self.environment = environment
        self.owner = owner
        self.client = client
    }

    public var place: String { "DynamoDB table \(table) in \(client.region)" }
    var key: Value { ["LockID": ["S": .string("ballast/lock/\(environment)")]] }

    public func acquire() async throws {
        let now = Date()
        guard case .map(var item) = key else { return }
        item["Owner"] = ["S": .string(owner.token)]
        item["Holder"] = ["S": .string(owner.holder)]
        item["Revision"] = ["S": .string(owner.revision)]
        item["Acquired"] = ["S": .string(Timestamp.iso8601(now))]
        item["Expires"] = ["N": .string(String(Int(now.timeIntervalSince1970 + Self.lifetime)))]
        do {
            _ = try await client.json(.putItem, [
                "TableName": .string(table), "Item": .map(item),
                "ConditionExpression": "attribute_not_exists(LockID) OR Expires < :now",
                "ExpressionAttributeValues": [":now": ["N": .string(String(Int(now.timeIntervalSince1970)))]],
            ])
        } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
            // A retried put whose first answer was lost finds our own item.
            guard let found = try await current(), found.token != owner.token else { return }
            throw LockHeld(environment: environment, record: found.record, place: place)
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            throw LockError("lock table \(table) does not exist in \(client.region): create it with the partition key "
                + "LockID (string), or remove lockTable from \(environment)'s environment.yaml")
        }
    }

    public func release() async throws {
        do {
            _ = try await client.json(.deleteItem, [
                "TableName": .string(table), "Key": key,
                "ConditionExpression": "#owner = :token",  // OWNER is a DynamoDB reserved word
                "ExpressionAttributeNames": ["#owner": "Owner"],
                "ExpressionAttributeValues": [":token": ["S": .string(owner.token)]],
            ])
        } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
            return  // already gone: a retried delete, or it was broken by hand
        }
    }

    public func breakLock() async throws -> LockRecord? {
        let found = try await current()
        _ = try await client.json(.deleteItem, ["TableName": .string(table), "Key": key])
        return found?.record
    }

    func current() async throws -> (record: LockRecord, token: String)? {
        let answer = try await client.json(.getItem, ["TableName": .string(table), "Key": key, "ConsistentRead": true])
        guard let item = answer["Item"] else { return nil }
        let record = LockRecord(holder: item["Holder"]?["S"]?.string ?? "an unknown holder",
                                revision: item["Revision"]?["S"]?.string ?? "?",
                                acquired: item["Acquired"]?["S"]?.string.flatMap(Timestamp.parse) ?? Date())
        return (record, item["Owner"]?["S"]?.string ?? "")
    }
}

/// The journal's copy: item `ballast/journal/<env>/<time>/<id>`, and the running mark.
public extension DynamoDBLockTable {
    internal func key(_ entry: JournalEntry, _ environment: String) -> String {
        "ballast/journal/\(environment)/\(Timestamp.iso8601(entry.time))/\(entry.id)"
    }

    internal func runningKey(_ environment: String) -> Value {
        ["LockID": ["S": .string("ballast/running/\(environment)")]]
    }

    /// One item per environment of the entry; the same key on a retry, so a repeat is harmless.
    /// The intent and the entry that ends it share the key: the end replaces the intent.
    func record(_ entry: JournalEntry, environment: String) async throws {
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
    func recordProgress(_ intent: JournalEntry, environment: String, index: Int,
                        outcome: JournalEntry.Written) async throws {
        _ = try await client.json(.updateItem, [
            "TableName": .string(table), "Key": ["LockID": ["S": .string(key(intent, environment))]],
            "UpdateExpression": .string("ADD \(Self.progressAttribute(outcome)) :index"),
            "ExpressionAttributeValues": [":index": ["NS": [.string(String(index))]]],
        ])
    }

    /// The lock-table item's number set a write's index goes in: started, failed, applied.
    internal static func progressAttribute(_ outcome: JournalEntry.Written) -> String {
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
    func entries(environment: String) async throws -> [JournalEntry] {
        let items = try await items(startingWith: "ballast/journal/\(environment)/")
        return Journal.newestFirst(items.compactMap { item in
            item["Entry"]?["S"]?.string.flatMap { try? JSON.parse($0) }.flatMap(JournalEntry.init(json:))
        })
    }

    /// ballast's bound on a lock table's pages read by one scan: 100 MB at DynamoDB's 1 MB a page ("Scanning
    /// tables in DynamoDB": "A single Scan request can retrieve a maximum of 1 MB of data").
    internal static let maxScanPages = 100

    /// The table's items whose `LockID` starts with `prefix` (the journal's entries, an environment's
    /// holds), every page up to `maxScanPages`.
    internal func items(startingWith prefix: String) async throws -> [Value] {
        var found: [Value] = []
        var start: Value?
        for _ in 0..<Self.maxScanPages {
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

/// The last notified drift of an environment in its lock table: item
/// `ballast/drift-notify/<env>`, attribute `Fingerprint`.
public extension DynamoDBLockTable {
    internal func notifyKey(_ environment: String) -> Value {
        ["LockID": ["S": .string("ballast/drift-notify/\(environment)")]]
    }

    func notifiedDrift(environment: String) async throws -> String? {
        let answer = try await client.json(.getItem, [
            "TableName": .string(table), "Key": notifyKey(environment), "ConsistentRead": true])
        return answer["Item"]?["Fingerprint"]?["S"]?.string
    }

    func keepNotifiedDrift(_ fingerprint: String, environment: String) async throws {
        guard case .map(var item) = notifyKey(environment) else { return }
        item["Fingerprint"] = ["S": .string(fingerprint)]
        _ = try await client.json(.putItem, ["TableName": .string(table), "Item": .map(item)])
    }
}

/// The drift-notify state could not be kept.
