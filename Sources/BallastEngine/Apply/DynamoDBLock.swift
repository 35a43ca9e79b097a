import BallastCore
import Foundation

/// The lock of an environment with a `lockTable`: one item per environment,
/// taken with a conditional PutItem, so applies from any CI runner exclude
/// each other. The table's partition key is `LockID` (string), as Terraform's
/// lock tables have; `Expires` (epoch seconds) can be the table's TTL attribute.
public struct DynamoDBLock: ApplyLock {
    /// A crashed apply's lock lapses after this; no apply holds a lock this long.
    public static let lifetime: TimeInterval = 3600

    let table: String
    let environment: String
    let owner: LockOwner
    let client: any AWSAPI

    public init(table: String, environment: String, owner: LockOwner, client: any AWSAPI) {
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
