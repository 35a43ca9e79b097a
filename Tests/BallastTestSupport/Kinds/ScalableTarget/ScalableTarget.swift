import BallastAWS
import BallastCore
import Foundation

/// `AWS::ApplicationAutoScaling::ScalableTarget` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let scalableTarget = KindMaterial(
        type: "AWS::ApplicationAutoScaling::ScalableTarget",
        seed: {
            try await $0.scalableTarget($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { "dynamodb/table/\(uniqueName("scaled"))/dynamodb:table:ReadCapacityUnits" },
            live: ["MinCapacity": 1, "MaxCapacity": 50], desired: "{MinCapacity: 5, MaxCapacity: 20}",
            seedFirst: { id in
                try await seeder().create("AWS::DynamoDB::Table", id: String(id.split(separator: "/")[2]), [:])
            }),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::ApplicationAutoScaling::ScalableTarget",
                "dynamodb/table/bench-table-\(i)/dynamodb:table:ReadCapacityUnits",
                ["MinCapacity": 1, "MaxCapacity": 10], "{MinCapacity: 1, MaxCapacity: \(d ? 20 : 10)}", drifted: d)
        })
}

extension LiveSeeder {
    func scalableTarget(_ id: String, _ p: [String: Value]) async throws {
        let segments = id.split(separator: "/").map(String.init)
        try await tolerant {
            _ = try await client.json(
                .applicationAutoScaling, "RegisterScalableTarget",
                .map([
                    "ServiceNamespace": .string(segments[0]),
                    "ResourceId": .string(segments.dropFirst().dropLast().joined(separator: "/")),
                    "ScalableDimension": .string(segments.last!),
                    "MinCapacity": p["MinCapacity"] ?? .int(1), "MaxCapacity": p["MaxCapacity"] ?? .int(1),
                ]))
        }
    }
}
