import BallastAWS
import BallastCore
import Foundation

/// `AWS::ElastiCache::ReplicationGroup` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let elastiCacheReplicationGroup = KindMaterial(
        type: "AWS::ElastiCache::ReplicationGroup",
        seed: {
            try await $0.replicationGroup($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("cache") },
            live: [
                "SnapshotRetentionLimit": 0, "CacheNodeType": "cache.t4g.micro", "NumCacheClusters": 2,
                "AutomaticFailoverEnabled": false,
            ],
            desired: "{SnapshotRetentionLimit: {atLeast: 7}, SnapshotWindow: \"03:00-04:00\", "
                + "CacheNodeType: cache.r7g.large, NumCacheClusters: 3, AutomaticFailoverEnabled: true}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::ElastiCache::ReplicationGroup", "bench-cache-\(i)",
                ["SnapshotRetentionLimit": 1, "CacheNodeType": "cache.t4g.micro", "NumCacheClusters": 2],
                "{SnapshotRetentionLimit: \(d ? 7 : 1), CacheNodeType: cache.t4g.micro, NumCacheClusters: 2}",
                drifted: d)
        })
}

extension LiveSeeder {
    /// A cluster-mode-disabled replication group (the ElastiCache stand-in's) with the properties'
    /// node type, clusters, failover and snapshots.
    func replicationGroup(_ id: String, _ p: [String: Value]) async throws {
        var parameters = [
            "ReplicationGroupId": id, "ReplicationGroupDescription": "seeded", "Engine": "redis",
            "CacheNodeType": p["CacheNodeType"]?.string ?? "cache.t4g.micro",
        ]
        let replicas = (p["ReplicasPerNodeGroup"]?.int).map { Value.int($0 + 1) }
        parameters["NumCacheClusters"] = (p["NumCacheClusters"] ?? replicas).map(\.plain)
        parameters["SnapshotRetentionLimit"] = p["SnapshotRetentionLimit"]?.plain
        parameters["SnapshotWindow"] = p["SnapshotWindow"]?.plain
        parameters["AutomaticFailoverEnabled"] = p["AutomaticFailoverEnabled"]?.plain
        try await tolerant { _ = try await client.query(.elastiCache, "CreateReplicationGroup", parameters) }
    }
}
