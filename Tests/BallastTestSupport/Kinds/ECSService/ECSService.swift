import BallastAWS
import BallastCore
import Foundation

/// `AWS::ECS::Service` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let ecsService = KindMaterial(
        type: "AWS::ECS::Service",
        seed: {
            try await $0.ecsService($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("cluster") + "/web" }, live: ["DesiredCount": 6], desired: "{DesiredCount: 2}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::ECS::Service", "bench-cluster-\(i % 10)/svc-\(i)", ["DesiredCount": 2],
                "{DesiredCount: \(d ? 3 : 2)}", drifted: d)
        })
}

extension LiveSeeder {
    func ecsService(_ id: String, _ p: [String: Value]) async throws {
        let parts = id.split(separator: "/").map(String.init)
        _ = try await client.json(.ecs, "CreateCluster", .map(["clusterName": .string(parts[0])]))
        _ = try await client.json(
            .ecs, "RegisterTaskDefinition",
            .map([
                "family": "ballast-seed",
                "containerDefinitions": .list([.map(["name": "app", "image": "nginx", "memory": .int(128)])]),
            ]))
        try await tolerant {
            _ = try await client.json(
                .ecs, "CreateService",
                .map([
                    "cluster": .string(parts[0]), "serviceName": .string(parts[1]), "taskDefinition": "ballast-seed",
                    "desiredCount": p["DesiredCount"] ?? .int(1),
                ]))
        }
    }
}
