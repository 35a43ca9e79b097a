import BallastCore

/// ElastiCache (Redis OSS / Valkey) replication groups, by id: snapshots kept and when, node type,
/// replica count and automatic failover. Every write is applied immediately (`ApplyImmediately`):
/// each owned property is one a runbook changes to act now (scale up, add a replica, keep more
/// snapshots); a change left for the maintenance window would read as drift until then. While
/// the group is `modifying`, DescribeReplicationGroups shows the old values, so the read-back waits.
public struct ElastiCacheReplicationGroupKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive, guards: guards, plannedReads: plannedReads,
        changes: changes(for:))

    /// A smaller node type whose memory (`maxmemory`, bytes) is below the most any member cluster held in
    /// the window (`BytesUsedForCache`, "Metrics for Valkey and Redis OSS") cannot hold the data: the cut
    /// needs the group's members (DescribeReplicationGroups, as read) and the node types' memory, which
    /// ElastiCache gives per node type in a family's defaults (DescribeEngineDefaultParameters; "some
    /// parameter values, such as maxmemory, are determined by the engine and node type", "Configuring engine
    /// parameters using ElastiCache parameter groups", one table for Valkey and Redis OSS). This is the least a
    /// node type needs: the reserved memory (25% by default) comes on top.
    static let guards = [
        LoadGuard("/CacheNodeType", namespace: "AWS/ElastiCache", metricName: "BytesUsedForCache",
                  source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html",
                  lookups: [
                      LoadGuard.Lookup(describeEngineDefaultParameters, saysCapacity: true, arn: { _, _, _ in "*" }) {
                          _, client in try await nodeTypeMemory(client)
                      },
                      LoadGuard.Lookup(describeReplicationGroups, arn: { id, region, account in
                          permissions.arn(id, region, account)
                      }) { id, client in try await members(of: id, client) },
                  ],
                  metrics: { _, answers in
                      (answers.last?.list ?? []).compactMap(\.string).map { [(name: "CacheClusterId", value: $0)] }
                  },
                  lookedUpCapacity: { value, answers in
                      value?.string.flatMap { answers.first?[$0]?.number }
                  },
                  mostMetrics: { resource in
                      resource.exactValue(at: "/NumCacheClusters")?.int ?? maxMembers
                  },
                  limitName: "the new node type's maxmemory") { _ in [] },
    ]

    /// "The node or shard limit can be increased to a maximum of 500 per cluster" ("Working with shards in
    /// ElastiCache"): each member cluster is one node.
    static let maxMembers = 500

    /// The family whose defaults say each node type's memory: `maxmemory` is the node type's in every family
    /// ("Valkey 7.2 parameters are the same as Redis OSS 7 parameters", "Engine specific parameters").
    static let memoryFamily = "redis7"

    /// A group's member clusters (at most `maxMembers`): the metric's `CacheClusterId`s.
    static func members(of id: String, _ client: any AWSAPI) async throws -> Value {
        let answer = try await client.query(describeReplicationGroups, ["ReplicationGroupId": id])
        let clusters = answer.members("ReplicationGroups").first?.members("MemberClusters") ?? []
        return .list(clusters.prefix(maxMembers).map { .string(String($0.text.prefix(50))) })
    }

    /// Each node type's `maxmemory` in bytes, from the family's defaults, by node type; at most 10 pages.
    static func nodeTypeMemory(_ client: any AWSAPI) async throws -> Value {
        var memory: [String: Value] = [:], marker: String?
        for _ in 0..<10 {
            var parameters = ["CacheParameterGroupFamily": memoryFamily, "MaxRecords": String(pageSize)]
            parameters["Marker"] = marker
            let defaults = try await client.query(describeEngineDefaultParameters, parameters).child("EngineDefaults")
            for parameter in defaults?.members("CacheNodeTypeSpecificParameters") ?? []
            where parameter.child("ParameterName")?.text == "maxmemory" {
                for value in parameter.members("CacheNodeTypeSpecificValues") {
                    guard let type = value.child("CacheNodeType")?.text, memory.count < 1_000,
                          let bytes = value.child("Value").flatMap({ Double($0.text) }), bytes.isFinite, bytes > 0
                    else { continue }
                    memory[String(type.prefix(100))] = .double(bytes)
                }
            }
            marker = defaults?.child("Marker")?.text
            if (marker ?? "").isEmpty { break }
        }
        return .map(memory)
    }

    /// Fewer days of automatic snapshots delete the older ones (0 turns them off).
    static let destructive = [
        DestructiveChange(
            "/SnapshotRetentionLimit", .lowered,
            reason: "Automatic snapshots older than the new limit are deleted, and 0 turns automatic "
                + "snapshots off.",
            source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/"
                + "API_ModifyReplicationGroup.html"),
    ]

    /// What else changes what it owns: the group deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.elastiCache, "DeleteReplicationGroup"),
    ]

    static let describeReplicationGroups = APIOperation(.elastiCache, "DescribeReplicationGroups")
    static let describeEngineDefaultParameters = APIOperation(.elastiCache, "DescribeEngineDefaultParameters")
    static let modifyReplicationGroup = APIOperation(.elastiCache, "ModifyReplicationGroup")
    static let increaseReplicaCount = APIOperation(.elastiCache, "IncreaseReplicaCount")
    static let decreaseReplicaCount = APIOperation(.elastiCache, "DecreaseReplicaCount")

    static let properties = ResourceSchema(
        type: "AWS::ElastiCache::ReplicationGroup",
        properties: ObjectSchema([
            // Days; 0 turns backups off ("ModifyReplicationGroup"). "The maximum value allowed is 35
            // days" ("CreateServerlessCache"; AWS Config's elasticache-automatic-backup-check-enabled:
            // "Valid values are 1 to 35").
            ("SnapshotRetentionLimit", .integer(0...35)),
            ("SnapshotWindow", .string(DBInstanceKind.backupWindow)),
            ("CacheNodeType", .string(StringFormat("a node type such as cache.r7g.large") { $0.hasPrefix("cache.") })),
            // "CreateReplicationGroup" (botocore's model): "The maximum permitted value for
            // NumCacheClusters is 6 (1 primary plus 5 replicas)"; ReplicasPerNodeGroup "Valid values
            // are 0 to 5".
            ("NumCacheClusters", .integer(1...6)),
            ("ReplicasPerNodeGroup", .integer(0...5)),
            ("AutomaticFailoverEnabled", .boolean),
        ]),
        checks: { r in
            // "If AutomaticFailoverEnabled is true, the value of this parameter must be at least 2."
            let alone = r.exactValue(at: "/AutomaticFailoverEnabled") == .bool(true)
                && r.exactValue(at: "/NumCacheClusters") == .int(1)
            return Check.exclusive(r, "/NumCacheClusters", "/ReplicasPerNodeGroup")
                + (alone ? [Diagnostic(r.location(of: "/NumCacheClusters"), "NumCacheClusters must be at least 2 "
                    + "with AutomaticFailoverEnabled: true (a replica to fail over to)")] : [])
        })

    static let permissions = KindPermissions(
        read: [describeReplicationGroups],
        write: [modifyReplicationGroup, increaseReplicaCount, decreaseReplicaCount]) { id, region, account in
        "arn:aws:elasticache:\(region):\(account):replicationgroup:\(id)"
    }

    /// `aws_elasticache_replication_group`: its `replication_group_id`.
    static let terraform = TerraformMapping("aws_elasticache_replication_group", idAttribute: "replication_group_id", [
        .init("/SnapshotRetentionLimit", "snapshot_retention_limit"),
        .init("/SnapshotWindow", "snapshot_window", convert: TerraformValue.unless("")),
        .init("/CacheNodeType", "node_type"),
        .init("/NumCacheClusters", "num_cache_clusters"),
        .init("/ReplicasPerNodeGroup", "replicas_per_node_group"),
        .init("/AutomaticFailoverEnabled", "automatic_failover_enabled"),
    ])

    /// DescribeReplicationGroups takes one id or none: several groups come from the listing, 100 a
    /// page (`MaxRecords`: "minimum 20; maximum 100", botocore's model), until all are found; a lone
    /// one, or one the listing lacks, by id.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let missing: Set<String> = ["ReplicationGroupNotFoundFault"]
        let listed = targets.count > 1 ? await Reading.inGroups([targets], missing: missing) { group in
            try await Reading.listed(group, name: \.id) { token in
                var parameters = ["MaxRecords": String(pageSize)]
                parameters["Marker"] = token
                let answer = try await client.query(describeReplicationGroups, parameters)
                let groups = answer.members("ReplicationGroups").compactMap { group -> (String, LiveRead)? in
                    group.child("ReplicationGroupId").map { ($0.text, .found(live(group))) }
                }
                return (groups, answer.child("Marker")?.text)
            }
        } : [:]
        let alone = await Reading.each(targets.filter { listed[$0.id] == nil }, missing: missing) { target in
            let answer = try await client.query(describeReplicationGroups, ["ReplicationGroupId": target.id])
            return answer.members("ReplicationGroups").first.map { .found(live($0)) } ?? .missing
        }
        return listed.merging(alone) { a, _ in a }
    }

    /// `MaxRecords` of DescribeReplicationGroups and DescribeEngineDefaultParameters alike: "Default: 100
    /// ... minimum 20; maximum 100" (botocore's model, elasticache 2015-02-02).
    static let pageSize = 100

    /// A group in CloudFormation's terms: with cluster mode off, its clusters counted from its
    /// members (`NumCacheClusters`); with it on, replicas per shard from its first shard
    /// (`ReplicasPerNodeGroup`), as CloudFormation uses one or the other.
    static func live(_ group: XMLTree) -> [String: Value] {
        var live: [String: Value] = [
            "SnapshotRetentionLimit": group.int("SnapshotRetentionLimit"),
            "SnapshotWindow": group.string("SnapshotWindow"),
            "CacheNodeType": group.string("CacheNodeType"),
        ].compactMapValues { $0 }
        if group.child("ClusterEnabled")?.text == "true" {
            if let shard = group.members("NodeGroups").first {
                live["ReplicasPerNodeGroup"] = .int(max(0, shard.members("NodeGroupMembers").count - 1))
            }
        } else {
            live["NumCacheClusters"] = .int(group.members("MemberClusters").count)
        }
        if let failover = group.child("AutomaticFailover")?.text {
            // enabling/disabling read as what they are becoming only once AWS is done.
            live["AutomaticFailoverEnabled"] = .bool(failover == "enabled" || failover == "disabling")
        }
        return live
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        guard !targets.isEmpty else { return [:] }
        return [describeReplicationGroups: targets.count > 1 ? Reading.batches(targets.count, of: pageSize) : 1]
    }

    /// ModifyReplicationGroup for the group's settings; Increase/DecreaseReplicaCount for its size.
    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        var changes = [ChangeBuilder.change(drift, modifyReplicationGroup, prefixes: [
            "/SnapshotRetentionLimit", "/SnapshotWindow", "/CacheNodeType", "/AutomaticFailoverEnabled"])]
        if let size = ChangeBuilder.change(drift, increaseReplicaCount, prefixes: ["/NumCacheClusters",
                                                                                    "/ReplicasPerNodeGroup"]) {
            let grows = size.set.values.allSatisfy { ($0.to.number ?? 0) > ($0.from?.number ?? 0) }
            changes.append(grows ? size : size.calling(decreaseReplicaCount))
        }
        return changes.compactMap { $0 }
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        modifyReplicationGroup: write,
        increaseReplicaCount: write,
        decreaseReplicaCount: write,
    ]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        var parameters = ["ReplicationGroupId": change.id, "ApplyImmediately": "true"]
        switch change.operation {
        case modifyReplicationGroup:
            for key in ["SnapshotRetentionLimit", "SnapshotWindow", "CacheNodeType", "AutomaticFailoverEnabled"] {
                parameters[key] = change.to("/" + key).map { $0.string ?? $0.description }
            }
        case increaseReplicaCount, decreaseReplicaCount:
            // A cluster-mode-disabled group's replicas are its clusters less the primary.
            let replicas =
                change.to("/ReplicasPerNodeGroup")?.int ?? change.to("/NumCacheClusters")?.int.map { $0 - 1 }
            guard let replicas else { throw WriteError("no replica count to set") }
            parameters["NewReplicaCount"] = String(replicas)
        default:
            throw WriteError("ballast cannot perform \(change.call)")
        }
        _ = try await client.query(change.operation, parameters)
    }

    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        try await client.queryPages(describeReplicationGroups, ["MaxRecords": String(pageSize)], token: "Marker")
            .items("ReplicationGroups").compactMap { $0.child("ReplicationGroupId")?.text }
            .filter { $0.hasPrefix(prefix) }
    }
}
