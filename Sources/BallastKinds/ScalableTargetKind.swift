import BallastCore

/// Application Auto Scaling targets, identified as `namespace/resourceId/dimension`,
/// e.g. `dynamodb/table/vehicle-positions/dynamodb:table:ReadCapacityUnits`.
public struct ScalableTargetKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy,
        plannedReads: plannedReads, changes: changes(for:), idFromPhysicalId: id(fromPhysicalId:))

    /// What else changes what it owns: the target deregistered. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.applicationAutoScaling, "DeregisterScalableTarget"),
    ]

    static let describeScalableTargets = APIOperation(.applicationAutoScaling, "DescribeScalableTargets")
    static let registerScalableTarget = APIOperation(.applicationAutoScaling, "RegisterScalableTarget")

    static let namespaces = ["appstream", "cassandra", "comprehend", "custom-resource", "dynamodb", "ec2", "ecs",
                             "elasticache", "elasticmapreduce", "kafka", "lambda", "neptune", "rds", "sagemaker",
                             "workspaces"]

    /// The first segment is the namespace, the last the dimension (`ns:kind:Property`).
    static let idFormat = StringFormat("namespace/resourceId/dimension") { id in
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, let ns = parts.first, namespaces.contains(String(ns)),
              let dimension = parts.last, dimension.split(separator: ":").count >= 3 else { return false }
        return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty }
    }

    /// `aws_appautoscaling_target`: the id is namespace/resource id/dimension.
    static let terraform = TerraformMapping(
        "aws_appautoscaling_target",
        id: { attributes in
            guard let namespace = attributes["service_namespace"]?.string,
                let resource = attributes["resource_id"]?.string,
                let dimension = attributes["scalable_dimension"]?.string
            else { return nil }
            return "\(namespace)/\(resource)/\(dimension)"
        }, [.init("/MinCapacity", "min_capacity"), .init("/MaxCapacity", "max_capacity")])

    static let properties = ResourceSchema(
        type: "AWS::ApplicationAutoScaling::ScalableTarget",
        properties: ObjectSchema([
            ("MinCapacity", .nonNegative),
            ("MaxCapacity", .nonNegative),
        ]),
        idFormat: idFormat,
        checks: { r in Check.ordered(r, "/MinCapacity", "/MaxCapacity") })

    static let permissions = KindPermissions(
        read: [describeScalableTargets],
        write: [registerScalableTarget],
        unscoped: [describeScalableTargets]) { id, region, account in
        "arn:aws:application-autoscaling:\(region):\(account):scalable-target/*"
    }

    /// DescribeScalableTargets takes one namespace and up to 50 resource ids a call.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        // One namespace per call; several dimensions of one resource share its resource id.
        let batches = Dictionary(grouping: targets) { parts($0.id).namespace }.values.flatMap { members in
            let byResource = Dictionary(grouping: members) { parts($0.id).resourceId }
            return Reading.chunks(byResource.keys.sorted(), of: 50).map { ids in ids.flatMap { byResource[$0]! } }
        }
        return await Reading.inGroups(batches) { batch in
            let namespace = parts(batch[0].id).namespace
            let resourceIds = Array(Set(batch.map { parts($0.id).resourceId })).sorted()
            let pages = try await client.jsonPages(
                describeScalableTargets,
                [
                    "ServiceNamespace": .string(namespace), "ResourceIds": .list(resourceIds.map(Value.string)),
                    "MaxResults": .int(50),
                ], token: "NextToken")
            var found: [String: [String: Value]] = [:]
            for target in pages.flatMap({ $0["ScalableTargets"]?.list ?? [] }) {
                let id = [namespace, target["ResourceId"]?.string ?? "", target["ScalableDimension"]?.string ?? ""]
                    .joined(separator: "/")
                found[id] = ["MinCapacity": target["MinCapacity"], "MaxCapacity": target["MaxCapacity"]]
                    .compactMapValues { $0 }
            }
            return Reading.pair(batch, found)
        }
    }

    /// `ecs/service/cluster/web/ecs:service:DesiredCount` -> resource id `service/cluster/web`.
    static func parts(_ id: String) -> (namespace: String, resourceId: String, dimension: String) {
        let segments = id.split(separator: "/", omittingEmptySubsequences: false)
        return (
            String(segments.first ?? ""), segments.dropFirst().dropLast().joined(separator: "/"),
            String(segments.last ?? "")
        )
    }

    /// CloudFormation's physical id is `resourceId|dimension|namespace`.
    static func id(fromPhysicalId physicalId: String) -> String {
        let parts = physicalId.split(separator: "|")
        guard parts.count == 3 else { return physicalId }
        return "\(parts[2])/\(parts[0])/\(parts[1])"
    }

    /// RegisterScalableTarget updates an existing target in place; both bounds are sent.
    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeScalableTargets: Dictionary(grouping: targets) { parts($0.id).namespace }.values.reduce(0) {
            $0 + Reading.batches(Set($1.map { parts($0.id).resourceId }).count, of: 50)
        }]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.change(drift, registerScalableTarget) { set in
            ChangeBuilder.keep("/MinCapacity", from: drift.live, in: &set)
            ChangeBuilder.keep("/MaxCapacity", from: drift.live, in: &set)
        }.map { [$0] } ?? []
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [registerScalableTarget: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let (namespace, resourceId, dimension) = parts(change.id)
        var input: [String: Value] = ["ServiceNamespace": .string(namespace), "ResourceId": .string(resourceId),
                                      "ScalableDimension": .string(dimension)]
        input["MinCapacity"] = change.to("/MinCapacity")
        input["MaxCapacity"] = change.to("/MaxCapacity")
        _ = try await client.json(registerScalableTarget, .map(input))
    }
}
