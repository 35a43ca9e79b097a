import BallastCore

/// CloudWatch Logs groups: retention, one of the values PutRetentionPolicy accepts, or `null` for a
/// group that never expires (DeleteRetentionPolicy removes a retention that was set).
public struct LogGroupKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive, plannedReads: plannedReads, changes: changes(for:))

    /// Shorter retention deletes the older events (`RetentionInDays: null` never expires: a number set
    /// there is a limit where there was none).
    static let destructive = [
        DestructiveChange(
            "/RetentionInDays", .lowered,
            reason: "A shorter retention deletes the log events older than it, within 72 hours; a longer one "
                + "later does not bring them back.",
            source: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
            unsetIsUnlimited: true),
    ]

    /// What else changes what it owns: the group deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.logs, "DeleteLogGroup"),
    ]

    static let describeLogGroups = APIOperation(.logs, "DescribeLogGroups")
    static let putRetentionPolicy = APIOperation(.logs, "PutRetentionPolicy")
    static let deleteRetentionPolicy = APIOperation(.logs, "DeleteRetentionPolicy")

    /// PutRetentionPolicy's allowed values (botocore logs model, `Days`).
    static let retentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                                1827, 2192, 2557, 2922, 3288, 3653]

    static let permissions = KindPermissions(
        read: [describeLogGroups],
        write: [putRetentionPolicy, deleteRetentionPolicy],
        unscoped: [describeLogGroups]) { id, region, account in
        "arn:aws:logs:\(region):\(account):log-group:\(name(id))"
    }

    /// `aws_cloudwatch_log_group`: a retention of 0 is "never expire", which the desired state says as
    /// `RetentionInDays: null` (must be unset).
    static let terraform = TerraformMapping("aws_cloudwatch_log_group", idAttribute: "name", [
        .init("/RetentionInDays", "retention_in_days", convert: { $0 == 0 ? .null : $0 }),
    ])

    static let properties = ResourceSchema(
        type: "AWS::Logs::LogGroup",
        properties: ObjectSchema([("RetentionInDays", .integerIn(retentionDays))]),
        // "If you omit retentionInDays ... the events in the log group are always retained and never
        // expire" (PutRetentionPolicy, CloudWatch Logs API Reference).
        unsettable: ["/RetentionInDays": "never expires"])
    /// DescribeLogGroups filters by name prefix and answers in name order, 50 a
    /// page. Names are grouped by their folder (`/aws/lambda/`); each group is
    /// one prefix query paged only as far as its last name.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let byFolder = Dictionary(grouping: targets) { folder(name($0.id)) }
        return await Reading.inGroups(Array(byFolder.values)) { batch in
            let wanted = Set(batch.map { name($0.id) })
            let prefix = Reading.commonPrefix(wanted.sorted())
            let last = wanted.max()!
            var found: [String: [String: Value]] = [:]
            var request: [String: Value] = ["logGroupNamePrefix": .string(prefix), "limit": .int(50)]
            while true {
                let page = try await client.json(describeLogGroups, .map(request))
                let groups = page["logGroups"]?.list ?? []
                for group in groups {
                    guard let groupName = group["logGroupName"]?.string, wanted.contains(groupName) else { continue }
                    // A group that keeps logs forever has no retentionInDays at all.
                    found[groupName] = ["RetentionInDays": group["retentionInDays"]].compactMapValues { $0 }
                }
                guard found.count < wanted.count, let next = page["nextToken"]?.string, !next.isEmpty,
                      let lastSeen = groups.last?["logGroupName"]?.string, lastSeen < last else { break }
                request["nextToken"] = .string(next)
            }
            return Reading.pair(batch, found, key: name)
        }
    }

    /// A log group ARN is `arn:aws:logs:r:a:log-group:NAME` with an optional `:*`.
    static func name(_ id: String) -> String {
        let name = ARN.name(id, after: "log-group:")
        return name.hasSuffix(":*") && name != id ? String(name.dropLast(2)) : name
    }

    /// `/aws/lambda/people-count` -> `/aws/lambda/`; a name without `/` is its own folder.
    static func folder(_ name: String) -> String {
        guard let slash = name.lastIndex(of: "/") else { return name }
        return String(name[...slash])
    }

    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        let input: [String: Value] = prefix.isEmpty ? [:] : ["logGroupNamePrefix": .string(prefix)]
        return try await client.jsonPages(describeLogGroups, input)
            .flatMap { $0["logGroups"]?.list ?? [] }.compactMap { $0["logGroupName"]?.string }
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeLogGroups: Dictionary(grouping: targets) { folder(name($0.id)) }.values.reduce(0) {
            $0 + Reading.batches($1.count, of: 50)
        }]
    }

    /// PutRetentionPolicy for a retention; DeleteRetentionPolicy for one that must be unset.
    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, putRetentionPolicy).map { change in
            change.to("/RetentionInDays") == .null ? change.calling(deleteRetentionPolicy) : change
        }
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        putRetentionPolicy: { change, client, _ in
            guard let days = change.to("/RetentionInDays"), days != .null else {
                throw WriteError("\(change.call) needs a retention; an unset one is DeleteRetentionPolicy's")
            }
            let input: Value = ["logGroupName": group(change), "retentionInDays": days]
            _ = try await client.json(putRetentionPolicy, input)
        },
        deleteRetentionPolicy: { change, client, _ in
            _ = try await client.json(deleteRetentionPolicy, .map(["logGroupName": group(change)]))
        },
    ]

    static func group(_ change: PlannedChange) -> Value { .string(name(change.id)) }
}
