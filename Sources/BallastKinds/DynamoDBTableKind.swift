import BallastCore

/// DynamoDB tables: billing mode, provisioned throughput, backups and TTL.
public struct DynamoDBTableKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive, guards: guards, plannedReads: plannedReads,
        changes: changes(for:))

    /// Provisioned capacity below the capacity units the last hour consumed a second (a minute's `Sum` over
    /// its 60 seconds, as DynamoDB's metrics page says to read it) throttles the requests above it.
    static let guards = [("Read", "/ProvisionedThroughput/ReadCapacityUnits"),
                         ("Write", "/ProvisionedThroughput/WriteCapacityUnits")].map { side, path in
        LoadGuard(path, namespace: "AWS/DynamoDB", metricName: "Consumed\(side)CapacityUnits", statistic: "Sum",
                  measure: .perSecond,
                  source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html") {
            id in
            [(name: "TableName", value: id)]
        }
    }

    /// Point-in-time recovery off drops the recovery window; time to live on deletes expired items.
    static let destructive = [
        DestructiveChange(
            "/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled", .turnedOff,
            reason: "Turning point-in-time recovery off drops the recovery window: turned on again, the table "
                + "can be restored only from then on.",
            source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                + "PointInTimeRecovery_Howitworks.html"),
        DestructiveChange(
            "/TimeToLiveSpecification/Enabled", .turnedOn,
            reason: "With time to live on, DynamoDB deletes every item whose TTL attribute has passed, "
                + "without a write of yours.",
            source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html"),
    ]

    /// What else changes what it owns: the table deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.dynamodb, "DeleteTable"),
    ]

    static let describeContinuousBackups = APIOperation(.dynamodb, "DescribeContinuousBackups")
    static let describeTable = APIOperation(.dynamodb, "DescribeTable")
    static let describeTimeToLive = APIOperation(.dynamodb, "DescribeTimeToLive")
    static let listTables = APIOperation(.dynamodb, "ListTables")
    static let updateContinuousBackups = APIOperation(.dynamodb, "UpdateContinuousBackups")
    static let updateTable = APIOperation(.dynamodb, "UpdateTable")
    static let updateTimeToLive = APIOperation(.dynamodb, "UpdateTimeToLive")

    /// `aws_dynamodb_table`: capacities are top-level attributes, PITR and TTL one-element blocks;
    /// an on-demand table's capacities are 0 there and absent in CloudFormation.
    static let terraform = TerraformMapping("aws_dynamodb_table", idAttribute: "name", [
        .init("/BillingMode", "billing_mode"),
        .init("/ProvisionedThroughput/ReadCapacityUnits", "read_capacity", convert: TerraformValue.unless(0)),
        .init("/ProvisionedThroughput/WriteCapacityUnits", "write_capacity", convert: TerraformValue.unless(0)),
        .init("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled", "point_in_time_recovery.0.enabled"),
        .init("/TimeToLiveSpecification/Enabled", "ttl.0.enabled"),
        .init("/TimeToLiveSpecification/AttributeName", "ttl.0.attribute_name", convert: TerraformValue.unless("")),
    ])

    static let properties = ResourceSchema(
        type: "AWS::DynamoDB::Table",
        properties: ObjectSchema([
            ("BillingMode", .oneOf(["PROVISIONED", "PAY_PER_REQUEST"])),
            ("ProvisionedThroughput", .object(ObjectSchema([
                ("ReadCapacityUnits", .positive),
                ("WriteCapacityUnits", .positive),
            ]))),
            ("PointInTimeRecoverySpecification", .object(ObjectSchema([
                ("PointInTimeRecoveryEnabled", .boolean),
            ]))),
            ("TimeToLiveSpecification", .object(ObjectSchema([
                ("Enabled", .boolean),
                ("AttributeName", .text),
            ]))),
        ]),
        checks: { r in
            var found: [Diagnostic] = []
            // On-demand tables have no provisioned throughput to set.
            if r.exactValue(at: "/BillingMode") == .string("PAY_PER_REQUEST"),
                r.expectation(at: "/ProvisionedThroughput") != nil {
                found.append(
                    Diagnostic(
                        r.location(of: "/ProvisionedThroughput"),
                        "ProvisionedThroughput cannot be set when BillingMode is PAY_PER_REQUEST"))
            }
            // UpdateTimeToLive needs the attribute name to turn TTL on.
            if r.exactValue(at: "/TimeToLiveSpecification/Enabled") == .bool(true),
               r.expectation(at: "/TimeToLiveSpecification/AttributeName") == nil {
                found.append(Diagnostic(r.location(of: "/TimeToLiveSpecification/Enabled"),
                                        "TimeToLiveSpecification.Enabled: true needs AttributeName"))
            }
            return found
        })

    static let permissions = KindPermissions(
        read: [describeTable, describeContinuousBackups, describeTimeToLive],
        write: [updateTable, updateContinuousBackups, updateTimeToLive]
    ) { id, region, account in
        "arn:aws:dynamodb:\(region):\(account):table/\(ARN.name(id, after: "table/"))"
    }

    /// One table at a time: DescribeTable for billing and throughput,
    /// DescribeContinuousBackups and DescribeTimeToLive only when declared.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["ResourceNotFoundException", "TableNotFoundException"]) { target in
            let table = Value.map(["TableName": .string(target.id)])
            var live: [String: Value] = [:]
            if target.wants("BillingMode", "ProvisionedThroughput") {
                let description = try await client.json(describeTable, table)["Table"]
                // Tables older than on-demand billing carry no BillingModeSummary: they are provisioned.
                let mode = description?["BillingModeSummary"]?["BillingMode"]?.string ?? "PROVISIONED"
                live["BillingMode"] = .string(mode)
                // On-demand tables report zero throughput, which means "none".
                if mode == "PROVISIONED", let throughput = description?["ProvisionedThroughput"] {
                    live["ProvisionedThroughput"] = .map(["ReadCapacityUnits": throughput["ReadCapacityUnits"],
                                                          "WriteCapacityUnits": throughput["WriteCapacityUnits"]]
                        .compactMapValues { $0 })
                }
            }
            if target.wants("PointInTimeRecoverySpecification") {
                let backups = try await client.json(describeContinuousBackups, table)
                let status = backups["ContinuousBackupsDescription"]?["PointInTimeRecoveryDescription"]?[
                    "PointInTimeRecoveryStatus"]?.string
                // PITR that was never turned on is off.
                live["PointInTimeRecoverySpecification"] = .map([
                    "PointInTimeRecoveryEnabled": .bool(status == "ENABLED")
                ])
            }
            if target.wants("TimeToLiveSpecification") {
                let ttl = try await client.json(describeTimeToLive, table)["TimeToLiveDescription"]
                let status = ttl?["TimeToLiveStatus"]?.string ?? "DISABLED"
                // ENABLING is on as far as the repository is concerned; AWS finishes it on its own.
                var spec: [String: Value] = ["Enabled": .bool(status == "ENABLED" || status == "ENABLING")]
                spec["AttributeName"] = ttl?["AttributeName"]
                live["TimeToLiveSpecification"] = .map(spec)
            }
            return .found(live)
        }
    }

    /// Billing and throughput in one UpdateTable (with both capacities, as it requires);
    /// PITR and TTL have a call each.
    /// ListTables pages by the last name it gave (`ExclusiveStartTableName`).
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        var names: [String] = [], request: [String: Value] = ["Limit": 100]
        while true {
            let page = try await client.json(listTables, .map(request))
            names += (page["TableNames"]?.list ?? []).compactMap(\.string)
            guard let last = page["LastEvaluatedTableName"]?.string else { break }
            request["ExclusiveStartTableName"] = .string(last)
        }
        return names.filter { $0.hasPrefix(prefix) }
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [
            describeTable: targets.filter { $0.wants("BillingMode", "ProvisionedThroughput") }.count,
            describeContinuousBackups: targets.filter { $0.wants("PointInTimeRecoverySpecification") }.count,
            describeTimeToLive: targets.filter { $0.wants("TimeToLiveSpecification") }.count,
        ].filter { $0.value > 0 }
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        [ChangeBuilder.change(drift, updateTable, prefixes: ["/BillingMode", "/ProvisionedThroughput"]) { set in
            if set.keys.contains(where: { $0.hasPrefix("/ProvisionedThroughput/") }) {
                ChangeBuilder.keep("/ProvisionedThroughput/ReadCapacityUnits", from: drift.live, in: &set)
                ChangeBuilder.keep("/ProvisionedThroughput/WriteCapacityUnits", from: drift.live, in: &set)
            }
        },
         ChangeBuilder.change(drift, updateContinuousBackups, prefixes: ["/PointInTimeRecoverySpecification"]),
         ChangeBuilder.change(drift, updateTimeToLive, prefixes: ["/TimeToLiveSpecification"]) { set in
            // Turning TTL off names the attribute it is on.
            ChangeBuilder.keep("/TimeToLiveSpecification/AttributeName", from: drift.live, in: &set)
        }].compactMap { $0 }
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        updateTable: { change, client, _ in
            var input = table(change)
            input["BillingMode"] = change.to("/BillingMode")
            if let read = change.to("/ProvisionedThroughput/ReadCapacityUnits"),
               let write = change.to("/ProvisionedThroughput/WriteCapacityUnits") {
                input["ProvisionedThroughput"] = .map(["ReadCapacityUnits": read, "WriteCapacityUnits": write])
            }
            _ = try await client.json(updateTable, .map(input))
        },
        updateContinuousBackups: { change, client, _ in
            let enabled = change.to("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled") ?? false
            _ = try await client.json(updateContinuousBackups, .map(table(change).merging([
                "PointInTimeRecoverySpecification": .map(["PointInTimeRecoveryEnabled": enabled]),
            ]) { $1 }))
        },
        updateTimeToLive: { change, client, _ in
            _ = try await client.json(updateTimeToLive, .map(table(change).merging([
                "TimeToLiveSpecification": .map(["Enabled": change.to("/TimeToLiveSpecification/Enabled") ?? false,
                                                 "AttributeName": change.to("/TimeToLiveSpecification/AttributeName")
                                                    ?? ""]),
            ]) { $1 }))
        },
    ]

    static func table(_ change: PlannedChange) -> [String: Value] { ["TableName": .string(change.id)] }
}
