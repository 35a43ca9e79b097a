import BallastCore

/// ECS services, identified as `cluster/service`.
public struct ECSServiceKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, guards: guards,
        plannedReads: plannedReads, changes: changes(for:), idFromPhysicalId: id(fromPhysicalId:))

    /// A desired count below the tasks the last hour's peak CPU would fill at 100% (the service's highest
    /// `CPUUtilization` times its running count, rounded up) leaves the load more than the tasks can carry.
    static let guards = [
        LoadGuard("/DesiredCount", namespace: "AWS/ECS", metricName: "CPUUtilization", measure: .fullShareOfLive,
                  source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html") { id in
            [(name: "ClusterName", value: cluster(id)), (name: "ServiceName", value: serviceName(id))]
        },
    ]

    /// What else changes what it owns: the service deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.ecs, "DeleteService"),
    ]

    static let describeServices = APIOperation(.ecs, "DescribeServices")
    static let updateService = APIOperation(.ecs, "UpdateService")

    /// `aws_ecs_service`: the cluster attribute is the cluster's ARN or name.
    static let terraform = TerraformMapping("aws_ecs_service", id: { attributes in
        guard let cluster = attributes["cluster"]?.string, let name = attributes["name"]?.string else { return nil }
        return (cluster.split(separator: "/").last.map(String.init) ?? cluster) + "/" + name
    }, [.init("/DesiredCount", "desired_count")])

    static let properties = ResourceSchema(
        type: "AWS::ECS::Service",
        properties: ObjectSchema([("DesiredCount", .nonNegative)]),
        idFormat: IdFormat.parts(2, "cluster/service"))

    static let permissions = KindPermissions(
        read: [describeServices],
        write: [updateService],
        anyId: "*/*") { id, region, account in
        "arn:aws:ecs:\(region):\(account):service/\(id)"
    }

    /// DescribeServices takes one cluster and up to 10 services a call.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let batches = Dictionary(grouping: targets) { cluster($0.id) }.values.flatMap { Reading.chunks($0, of: 10) }
        return await Reading.inGroups(batches, missing: ["ClusterNotFoundException"]) { batch in
            let answer = try await client.json(describeServices, .map([
                "cluster": .string(cluster(batch[0].id)),
                "services": .list(batch.map { .string(serviceName($0.id)) }),
            ]))
            var found: [String: [String: Value]] = [:]
            for service in answer["services"]?.list ?? [] {
                // Deleted services linger as INACTIVE for a while: they are gone.
                guard service["status"]?.string != "INACTIVE", let name = service["serviceName"]?.string else {
                    continue
                }
                found[name] = ["DesiredCount": service["desiredCount"]].compactMapValues { $0 }
            }
            return Reading.pair(batch, found, key: serviceName)
        }
    }

    static func cluster(_ id: String) -> String { String(id.prefix { $0 != "/" }) }
    static func serviceName(_ id: String) -> String { String(id.split(separator: "/").last ?? "") }

    /// CloudFormation's physical id is the service ARN: `arn:aws:ecs:r:a:service/cluster/name`.
    static func id(fromPhysicalId physicalId: String) -> String {
        guard let arn = ARN(physicalId), arn.resource.hasPrefix("service/") else { return physicalId }
        return String(arn.resource.dropFirst("service/".count))
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        let clusters = Dictionary(grouping: targets) { cluster($0.id) }.values
        return [describeServices: clusters.reduce(0) { $0 + Reading.batches($1.count, of: 10) }]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, updateService)
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [updateService: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        var input: [String: Value] = [
            "cluster": .string(cluster(change.id)), "service": .string(serviceName(change.id)),
        ]
        input["desiredCount"] = change.to("/DesiredCount")
        _ = try await client.json(updateService, .map(input))
    }
}
