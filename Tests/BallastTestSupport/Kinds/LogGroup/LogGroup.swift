import BallastAWS
import BallastCore
import Foundation

/// `AWS::Logs::LogGroup` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let logGroup = KindMaterial(
        type: "AWS::Logs::LogGroup",
        seed: {
            try await $0.logGroup($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { "/ballast/" + uniqueName("logs") }, live: ["RetentionInDays": 7],
            desired: "{RetentionInDays: {atLeast: 30}}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::Logs::LogGroup", String(format: "/bench/app/group-%04d", i), ["RetentionInDays": 30],
                "{RetentionInDays: \(d ? 90 : 30)}", drifted: d)
        })
}

extension LiveSeeder {
    func logGroup(_ name: String, _ p: [String: Value]) async throws {
        try await tolerant {
            _ = try await client.json(.logs, "CreateLogGroup", .map(["logGroupName": .string(name)]))
        }
        if let days = p["RetentionInDays"] {
            _ = try await client.json(
                .logs, "PutRetentionPolicy", .map(["logGroupName": .string(name), "retentionInDays": days]))
        }
    }
}
