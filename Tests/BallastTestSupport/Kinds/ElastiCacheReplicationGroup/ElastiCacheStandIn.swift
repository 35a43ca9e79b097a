import BallastCore
import Foundation

/// ElastiCache replication groups for the tests: moto has no `ModifyReplicationGroup`,
/// `IncreaseReplicaCount` or `DecreaseReplicaCount`, and keeps a deleted group forever (as
/// `deleting`), so it cannot stand for a changed one. The replication-group operations ballast and
/// the seeder call are answered here instead, as botocore's model (elasticache 2015-02-02) and the
/// API reference describe them: query protocol, XML answers in the 2015-02-02 namespace, errors as
/// `<ErrorResponse>` (`ReplicationGroupNotFoundFault` 404, `ReplicationGroupAlreadyExistsFault`
/// 400). A change applied immediately leaves the group `modifying` with its old values and the new
/// ones under `PendingModifiedValues` for half a second, as AWS does for longer. moto has no
/// `DescribeEngineDefaultParameters` either: a family's defaults are answered here with `maxmemory` per node
/// type (each node type's memory on AWS's "Supported node types" page, in the bytes `maxmemory` is said in),
/// `Parameters` paged by `MaxRecords` and `Marker` inside `EngineDefaults` as the model's paginator says.
public final class ElastiCacheStandIn: Sendable {
    struct Group: Sendable {
        var id: String
        var description: String
        var nodeType: String
        var clusters: Int
        var failover: Bool
        var retention: Int
        var window: String
        var pending: [String: String] = [:]
        var pendingSince: Date?
    }

    static let operations: Set<String> = ["CreateReplicationGroup", "DescribeReplicationGroups",
                                          "ModifyReplicationGroup", "IncreaseReplicaCount", "DecreaseReplicaCount",
                                          "DescribeEngineDefaultParameters"]
    /// GiB of memory by node type ("Supported node types", Amazon ElastiCache User Guide).
    static let nodeMemory: [(type: String, gib: Double)] = [
        ("cache.t4g.micro", 0.5), ("cache.t4g.small", 1.37), ("cache.t4g.medium", 3.09),
        ("cache.m7g.large", 6.38), ("cache.r7g.large", 13.07), ("cache.r7g.xlarge", 26.32),
    ]
    /// Families the stand-in knows, and the engine parameters its defaults list: more than one page of 100,
    /// as redis7's are (a few of its names, then numbered fillers).
    static let families: Set<String> = ["redis6.x", "redis7", "valkey7", "valkey8"]
    static let defaultParameters = ["activerehashing", "appendonly", "maxmemory-policy", "reserved-memory-percent",
                                    "timeout", "tcp-keepalive", "databases", "lua-time-limit"]
        + (1...140).map { "stand-in-parameter-\($0)" }
    static let settle: TimeInterval = 0.5
    private let groups = Locked<[String: Group]>([:])

    /// The answer to a replication-group request; nil for any other.
    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        guard (request.headers["authorization"] ?? "").contains("/elasticache/aws4_request") else { return nil }
        let form = AWSWire.form(request.body)
        guard let action = form["Action"], Self.operations.contains(action) else { return nil }
        return groups.update { groups in
            for id in groups.keys { Self.settle(&groups[id]!) }
            return Self.perform(action, form, &groups)
        }
    }

    static func perform(_ action: String, _ form: [String: String], _ groups: inout [String: Group])
        -> LoopbackHTTPServer.Reply {
        let id = form["ReplicationGroupId"] ?? ""
        let missing = error(404, "ReplicationGroupNotFoundFault", "ReplicationGroup \(id) not found.")
        switch action {
        case "CreateReplicationGroup":
            guard groups[id] == nil else {
                return error(400, "ReplicationGroupAlreadyExistsFault", "ReplicationGroup \(id) already exists.")
            }
            groups[id] = Group(id: id, description: form["ReplicationGroupDescription"] ?? "",
                               nodeType: form["CacheNodeType"] ?? "cache.t4g.micro",
                               clusters: Int(form["NumCacheClusters"] ?? "") ?? 1,
                               failover: form["AutomaticFailoverEnabled"] == "true",
                               retention: Int(form["SnapshotRetentionLimit"] ?? "") ?? 0,
                               window: form["SnapshotWindow"] ?? "05:00-06:00")
            return ok(action, "<ReplicationGroup>\(xml(groups[id]!))</ReplicationGroup>")
        case "DescribeReplicationGroups":
            if !id.isEmpty {
                guard let group = groups[id] else { return missing }
                return ok(action,
                          "<ReplicationGroups><ReplicationGroup>\(xml(group))</ReplicationGroup></ReplicationGroups>")
            }
            let names = groups.keys.sorted()
            let start = Int(form["Marker"] ?? "0") ?? 0
            let size = Int(form["MaxRecords"] ?? "100") ?? 100
            let page = names.dropFirst(start).prefix(size)
            let items = page.map { "<ReplicationGroup>\(xml(groups[$0]!))</ReplicationGroup>" }.joined()
            let marker = start + size < names.count ? "<Marker>\(start + size)</Marker>" : ""
            return ok(action, "<ReplicationGroups>\(items)</ReplicationGroups>\(marker)")
        case "DescribeEngineDefaultParameters":
            return engineDefaults(form)
        case "ModifyReplicationGroup", "IncreaseReplicaCount", "DecreaseReplicaCount":
            guard groups[id] != nil else { return missing }
            var changes: [String: String] = [:]
            for key in ["CacheNodeType", "SnapshotRetentionLimit", "SnapshotWindow", "AutomaticFailoverEnabled"] {
                changes[key] = form[key]
            }
            if let replicas = form["NewReplicaCount"].flatMap(Int.init) {
                changes["NumCacheClusters"] = String(replicas + 1)
            }
            groups[id]!.pending.merge(changes) { _, new in new }
            groups[id]!.pendingSince = Date()
            if form["ApplyImmediately"] != "true" { groups[id]!.pendingSince = .distantFuture }
            return ok(action, "<ReplicationGroup>\(xml(groups[id]!))</ReplicationGroup>")
        default:
            return error(400, "InvalidAction", "the stand-in does not answer \(action)")
        }
    }

    /// A family's defaults: a page of its parameters (`MaxRecords`, 20 to 100) and, on the first page, the
    /// node-type-specific `maxmemory`.
    static func engineDefaults(_ form: [String: String]) -> LoopbackHTTPServer.Reply {
        let family = form["CacheParameterGroupFamily"] ?? ""
        guard families.contains(family) else {
            return error(400, "InvalidParameterValue", "The parameter CacheParameterGroupFamily is not valid.")
        }
        let size = max(20, min(100, Int(form["MaxRecords"] ?? "100") ?? 100))
        let start = Int(form["Marker"] ?? "0") ?? 0
        let page = defaultParameters.dropFirst(start).prefix(size)
        let parameters = page.map {
            "<Parameter><ParameterName>\($0)</ParameterName><Source>system</Source></Parameter>"
        }
        let memory = nodeMemory.map { node in
            "<CacheNodeTypeSpecificValue><CacheNodeType>\(node.type)</CacheNodeType>"
                + "<Value>\(Int64(node.gib * 1_073_741_824))</Value></CacheNodeTypeSpecificValue>"
        }.joined()
        let specific = start > 0 ? "" : "<CacheNodeTypeSpecificParameter><ParameterName>maxmemory</ParameterName>"
            + "<DataType>integer</DataType><IsModifiable>false</IsModifiable>"
            + "<CacheNodeTypeSpecificValues>\(memory)</CacheNodeTypeSpecificValues></CacheNodeTypeSpecificParameter>"
        let marker = start + size < defaultParameters.count ? "<Marker>\(start + size)</Marker>" : ""
        return ok("DescribeEngineDefaultParameters", "<EngineDefaults><CacheParameterGroupFamily>\(family)"
            + "</CacheParameterGroupFamily>\(marker)<Parameters>\(parameters.joined())</Parameters>"
            + "<CacheNodeTypeSpecificParameters>\(specific)</CacheNodeTypeSpecificParameters></EngineDefaults>")
    }

    /// Pending changes take effect `settle` after they were asked for.
    static func settle(_ group: inout Group) {
        guard let since = group.pendingSince, Date().timeIntervalSince(since) >= settle else { return }
        let pending = group.pending
        group.nodeType = pending["CacheNodeType"] ?? group.nodeType
        group.retention = pending["SnapshotRetentionLimit"].flatMap(Int.init) ?? group.retention
        group.window = pending["SnapshotWindow"] ?? group.window
        group.failover = pending["AutomaticFailoverEnabled"].map { $0 == "true" } ?? group.failover
        group.clusters = pending["NumCacheClusters"].flatMap(Int.init) ?? group.clusters
        group.pending = [:]
        group.pendingSince = nil
    }

    static func xml(_ group: Group) -> String {
        let members = (1...max(1, group.clusters)).map { String(format: "\(group.id)-%03d", $0) }
        let nodes = members.enumerated().map { index, member in
            "<NodeGroupMember><CacheClusterId>\(member)</CacheClusterId><CacheNodeId>0001</CacheNodeId>"
                + "<CurrentRole>\(index == 0 ? "primary" : "replica")</CurrentRole></NodeGroupMember>"
        }.joined()
        var pending = ""
        if let type = group.pending["CacheNodeType"] { pending += "<CacheNodeType>\(type)</CacheNodeType>" }
        if let failover = group.pending["AutomaticFailoverEnabled"] {
            let status = failover == "true" ? "enabled" : "disabled"
            pending += "<AutomaticFailoverStatus>\(status)</AutomaticFailoverStatus>"
        }
        return "<ReplicationGroupId>\(group.id)</ReplicationGroupId><Description>\(group.description)</Description>"
            + "<Status>\(group.pendingSince == nil ? "available" : "modifying")</Status>"
            + "<PendingModifiedValues>\(pending)</PendingModifiedValues>"
            + "<MemberClusters>\(members.map { "<ClusterId>\($0)</ClusterId>" }.joined())</MemberClusters>"
            + "<NodeGroups><NodeGroup><NodeGroupId>0001</NodeGroupId><Status>available</Status>"
            + "<NodeGroupMembers>\(nodes)</NodeGroupMembers></NodeGroup></NodeGroups>"
            + "<AutomaticFailover>\(group.failover ? "enabled" : "disabled")</AutomaticFailover>"
            + "<SnapshotRetentionLimit>\(group.retention)</SnapshotRetentionLimit>"
            + "<SnapshotWindow>\(group.window)</SnapshotWindow><ClusterEnabled>false</ClusterEnabled>"
            + "<CacheNodeType>\(group.nodeType)</CacheNodeType>"
            + "<ARN>arn:aws:elasticache:us-east-1:123456789012:replicationgroup:\(group.id)</ARN>"
    }


    static let namespace = "http://elasticache.amazonaws.com/doc/2015-02-02/"

    static func ok(_ action: String, _ result: String) -> LoopbackHTTPServer.Reply {
        let body = "<\(action)Response xmlns=\"\(namespace)\"><\(action)Result>\(result)</\(action)Result>"
            + "<ResponseMetadata><RequestId>\(UUID().uuidString)</RequestId></ResponseMetadata></\(action)Response>"
        return .response(status: 200, headers: ["Content-Type": "text/xml"], body: Array(body.utf8))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> LoopbackHTTPServer.Reply {
        AWSWire.queryError(namespace, status, code, message)
    }
}
