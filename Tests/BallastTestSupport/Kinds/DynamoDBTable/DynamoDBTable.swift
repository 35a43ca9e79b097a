import BallastAWS
import BallastCore
import Foundation

/// `AWS::DynamoDB::Table` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let dynamoDBTable = KindMaterial(
        type: "AWS::DynamoDB::Table",
        seed: {
            try await $0.dynamoDBTable($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("table") },
            live: [
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": ["ReadCapacityUnits": 5, "WriteCapacityUnits": 5],
            ],
            desired:
                "{ProvisionedThroughput: {ReadCapacityUnits: 20, WriteCapacityUnits: 10}, "
                + "PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}, "
                + "TimeToLiveSpecification: {Enabled: true, AttributeName: expiresAt}}"
        ),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::DynamoDB::Table", "bench-table-\(i)",
                [
                    "BillingMode": "PROVISIONED",
                    "ProvisionedThroughput": ["ReadCapacityUnits": 5, "WriteCapacityUnits": 5],
                ],
                "{BillingMode: PROVISIONED, "
                    + "ProvisionedThroughput: {ReadCapacityUnits: \(d ? 10 : 5), WriteCapacityUnits: 5}, "
                    + "PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: false}, "
                    + "TimeToLiveSpecification: {Enabled: false}}",
                drifted: d)
        })
}

extension LiveSeeder {
    func dynamoDBTable(_ name: String, _ p: [String: Value]) async throws {
        var table: [String: Value] = [
            "TableName": .string(name),
            "AttributeDefinitions": .list([.map(["AttributeName": "id", "AttributeType": "S"])]),
            "KeySchema": .list([.map(["AttributeName": "id", "KeyType": "HASH"])]),
            "BillingMode": p["BillingMode"] ?? "PROVISIONED",
        ]
        if table["BillingMode"] == "PROVISIONED" {
            table["ProvisionedThroughput"] =
                p["ProvisionedThroughput"] ?? .map(["ReadCapacityUnits": .int(1), "WriteCapacityUnits": .int(1)])
        }
        try await tolerant { _ = try await client.json(.dynamodb, "CreateTable", .map(table)) }
        if let pitr = p["PointInTimeRecoverySpecification"] {
            _ = try await client.json(
                .dynamodb, "UpdateContinuousBackups",
                .map([
                    "TableName": .string(name), "PointInTimeRecoverySpecification": pitr,
                ]))
        }
        if let ttl = p["TimeToLiveSpecification"], ttl["Enabled"] == .bool(true) {
            _ = try await client.json(
                .dynamodb, "UpdateTimeToLive", .map(["TableName": .string(name), "TimeToLiveSpecification": ttl]))
        }
    }
}
