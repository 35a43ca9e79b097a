import BallastCore

/// Timestream tables, identified as `database/table`: memory and magnetic retention.
public struct TimestreamTableKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive,
        plannedReads: plannedReads, changes: changes(for:), idFromPhysicalId: id(fromPhysicalId:))

    /// A shorter magnetic store retention deletes the older records.
    static let destructive = [
        DestructiveChange(
            "/RetentionProperties/MagneticStoreRetentionPeriodInDays", .lowered,
            reason: "Records older than the magnetic store's new retention are deleted.",
            source: "https://docs.aws.amazon.com/timestream/latest/developerguide/storage.html"),
    ]

    /// What else changes what it owns: the table deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.timestreamWrite, "DeleteTable"),
    ]

    static let describeEndpoints = APIOperation(.timestreamWrite, "DescribeEndpoints")
    static let describeTable = APIOperation(.timestreamWrite, "DescribeTable")
    static let listTables = APIOperation(.timestreamWrite, "ListTables")
    static let updateTable = APIOperation(.timestreamWrite, "UpdateTable")

    /// `aws_timestreamwrite_table`: the id is database/table.
    static let terraform = TerraformMapping("aws_timestreamwrite_table", id: { attributes in
        guard let database = attributes["database_name"]?.string, let table = attributes["table_name"]?.string else {
            return nil
        }
        return database + "/" + table
    }, [
        .init("/RetentionProperties/MemoryStoreRetentionPeriodInHours",
              "retention_properties.0.memory_store_retention_period_in_hours"),
        .init("/RetentionProperties/MagneticStoreRetentionPeriodInDays",
              "retention_properties.0.magnetic_store_retention_period_in_days"),
    ])

    static let properties = ResourceSchema(
        type: "AWS::Timestream::Table",
        properties: ObjectSchema([
            ("RetentionProperties", .object(ObjectSchema([
                ("MemoryStoreRetentionPeriodInHours", .integer(1...8766)),
                ("MagneticStoreRetentionPeriodInDays", .integer(1...73_000)),
            ]))),
        ]),
        idFormat: IdFormat.parts(2, "database/table"))

    static let permissions = KindPermissions(
        read: [listTables, describeTable, describeEndpoints],
        write: [updateTable],
        unscoped: [describeEndpoints],
        anyId: "*/*",
        onParent: ([listTables], { id, region, account in
            let database = id.split(separator: "/").first.map(String.init) ?? "*"
            return "arn:aws:timestream:\(region):\(account):database/" + database
        })) { id, region, account in
        "arn:aws:timestream:\(region):\(account):database/" + id.replacing("/", with: "/table/")
    }

    /// A database's tables come from ListTables, 20 a page (`MaxResults` is at most 20:
    /// `PaginationLimit` in the API's model), which returns each table's retention
    /// ("Provides a list of tables, along with the name, status, and retention properties of each
    /// table"): Timestream's List/Describe calls share 5 a second, so one call for 20 tables is what
    /// makes a large set fast. A lone table is read with DescribeTable. Paging stops once every
    /// declared table of the database is found, or after as many pages as declared tables (a
    /// database of many undeclared tables); tables not found by then are described one by one, so
    /// a read never costs more than twice the calls of describing each.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let endpoint: String?
        do {
            endpoint = try await discoveredEndpoint(client)
        } catch {
            let reason = LiveRead.failed(Reading.reason(error))
            return Dictionary(targets.map { ($0.id, reason) }, uniquingKeysWith: { a, _ in a })
        }
        return await Reading.listedOrEach(targets, container: { parts($0).database },
                                          missing: ["ResourceNotFoundException"], name: { parts($0).table },
                                          page: { tables, token in
            var input: [String: Value] = ["DatabaseName": .string(parts(tables[0]).database), "MaxResults": .int(20)]
            if let token { input["NextToken"] = .string(token) }
            let page = try await client.json(listTables, .map(input), endpoint: endpoint)
            let members = (page["Tables"]?.list ?? []).compactMap { table in
                table["TableName"]?.string.map { ($0, found(table)) }
            }
            return (members, page["NextToken"]?.string)
        }, alone: { target in
            let (database, table) = parts(target)
            let answer = try await client.json(describeTable, .map([
                "DatabaseName": .string(database), "TableName": .string(table),
            ]), endpoint: endpoint)
            return found(answer["Table"])
        })
    }

    /// The database and table of a `database/table` id.
    static func parts(_ target: LiveTarget) -> (database: String, table: String) {
        let parts = target.id.split(separator: "/", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    static func found(_ table: Value?) -> LiveRead {
        guard let retention = table?["RetentionProperties"] else { return .found([:]) }
        return .found(["RetentionProperties": retention])
    }

    /// Timestream requires endpoint discovery (DescribeEndpoints) on AWS; an
    /// endpoint set with AWS_ENDPOINT_URL is used as it is.
    static func discoveredEndpoint(_ client: any AWSAPI) async throws -> String? {
        guard client.usesDefaultEndpoint(.timestreamWrite) else { return nil }
        let answer = try await client.json(describeEndpoints)
        return answer["Endpoints"]?.list?.first?["Address"]?.string.map { "https://" + $0 }
    }
    /// CloudFormation may name a table `database|table`.
    static func id(fromPhysicalId physicalId: String) -> String {
        physicalId.replacing("|", with: "/")
    }

    /// UpdateTable takes both retention periods; the unchanged one is kept.
    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        Reading.listedOrEachCalls(targets, container: { parts($0).database }, pageSize: 20,
                                  list: listTables, each: describeTable)
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.change(drift, updateTable) { set in
            ChangeBuilder.keep("/RetentionProperties/MemoryStoreRetentionPeriodInHours", from: drift.live, in: &set)
            ChangeBuilder.keep("/RetentionProperties/MagneticStoreRetentionPeriodInDays", from: drift.live, in: &set)
        }.map { [$0] } ?? []
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [updateTable: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let parts = change.id.split(separator: "/", maxSplits: 1).map(String.init)
        var retention: [String: Value] = [:]
        retention["MemoryStoreRetentionPeriodInHours"] = change.to(
            "/RetentionProperties/MemoryStoreRetentionPeriodInHours")
        retention["MagneticStoreRetentionPeriodInDays"] = change.to(
            "/RetentionProperties/MagneticStoreRetentionPeriodInDays")
        _ = try await client.json(
            updateTable,
            .map([
                "DatabaseName": .string(parts[0]), "TableName": .string(parts.count > 1 ? parts[1] : ""),
                "RetentionProperties": .map(retention),
            ]), endpoint: try await discoveredEndpoint(client))
    }
}
