import BallastCore

/// EC2 Auto Scaling groups: the capacity runbooks change most during incidents.
public struct AutoScalingGroupKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, guards: guards, plannedReads: plannedReads, changes: changes(for:))

    /// MaxSize and DesiredCapacity below the instances in service at the last hour's peak stop instances
    /// the load needed. The group's metrics are published only with group metrics collection on; without
    /// them the plan says the load is unknown.
    static let guards = ["/MaxSize", "/DesiredCapacity"].map { path in
        LoadGuard(path, namespace: "AWS/AutoScaling", metricName: "GroupInServiceInstances",
                  source: "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html") {
            id in
            [(name: "AutoScalingGroupName", value: name(id))]
        }
    }

    /// What else changes what it owns: a runbook's `set-desired-capacity`, or the group deleted. Watched for (`watch
    /// --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.autoScaling, "SetDesiredCapacity"),
        APIOperation(.autoScaling, "DeleteAutoScalingGroup"),
    ]

    static let describeAutoScalingGroups = APIOperation(.autoScaling, "DescribeAutoScalingGroups")
    static let updateAutoScalingGroup = APIOperation(.autoScaling, "UpdateAutoScalingGroup")

    /// `aws_autoscaling_group`.
    static let terraform = TerraformMapping("aws_autoscaling_group", idAttribute: "name", [
        .init("/MinSize", "min_size"), .init("/MaxSize", "max_size"), .init("/DesiredCapacity", "desired_capacity"),
    ])

    static let properties = ResourceSchema(
        type: "AWS::AutoScaling::AutoScalingGroup",
        properties: ObjectSchema([
            ("MinSize", .nonNegative),
            ("MaxSize", .nonNegative),
            ("DesiredCapacity", .nonNegative),
        ]),
        checks: { r in
            Check.ordered(r, "/MinSize", "/MaxSize")
                + Check.between(r, "/DesiredCapacity", "/MinSize", "/MaxSize")
        })

    static let permissions = KindPermissions(
        read: [describeAutoScalingGroups],
        write: [updateAutoScalingGroup],
        unscoped: [describeAutoScalingGroups]) { id, region, account in
        "arn:aws:autoscaling:\(region):\(account):autoScalingGroup:*:autoScalingGroupName/\(name(id))"
    }

    /// DescribeAutoScalingGroups takes up to 100 names a call.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.inBatches(targets, of: 100) { batch in
            var parameters = ["MaxRecords": "100"]
            for (index, target) in batch.enumerated() {
                parameters["AutoScalingGroupNames.member.\(index + 1)"] = name(target.id)
            }
            let groups = try await client.queryPages(describeAutoScalingGroups, parameters)
                .items("AutoScalingGroups")
            let found = Dictionary(groups.map { group in
                (group.child("AutoScalingGroupName")?.text ?? "",
                 ["MinSize": group.int("MinSize"), "MaxSize": group.int("MaxSize"),
                  "DesiredCapacity": group.int("DesiredCapacity")].compactMapValues { $0 })
            }, uniquingKeysWith: { a, _ in a })
            return Reading.pair(batch, found, key: name)
        }
    }

    /// A group's ARN ends in `autoScalingGroupName/NAME`.
    static func name(_ id: String) -> String { ARN.name(id, after: "autoScalingGroupName/") }

    /// MinSize, MaxSize and DesiredCapacity in one UpdateAutoScalingGroup.
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        try await client.queryPages(describeAutoScalingGroups, ["MaxRecords": "100"])
            .items("AutoScalingGroups")
            .compactMap { $0.child("AutoScalingGroupName")?.text }.filter { $0.hasPrefix(prefix) }
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeAutoScalingGroups: Reading.batches(targets.count, of: 100)]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, updateAutoScalingGroup)
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [updateAutoScalingGroup: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        var parameters = ["AutoScalingGroupName": name(change.id)]
        for key in ["MinSize", "MaxSize", "DesiredCapacity"] { parameters[key] = change.to("/" + key)?.description }
        _ = try await client.query(updateAutoScalingGroup, parameters)
    }
}
