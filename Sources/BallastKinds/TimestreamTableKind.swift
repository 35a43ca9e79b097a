import BallastAWS
import BallastCore

/// Timestream tables, identified as `database/table`: memory and magnetic retention.
public struct TimestreamTableKind: ResourceKind {
    /// `aws_timestreamwrite_table`: the id is database/table.
    public static let terraform = TerraformMapping("aws_timestreamwrite_table", id: { attributes in
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

    public static let schema = ResourceSchema(
        type: "AWS::Timestream::Table",
        properties: ObjectSchema([
            ("RetentionProperties", .object(ObjectSchema([
                ("MemoryStoreRetentionPeriodInHours", .integer(1...8766)),
                ("MagneticStoreRetentionPeriodInDays", .integer(1...73_000)),
            ]))),
        ]),
        idFormat: IdFormat.parts(2, "database/table"))

    public static let permissions = KindPermissions(
        read: ["timestream:DescribeTable", "timestream:DescribeEndpoints"],
        write: ["timestream:UpdateTable"],
        unscoped: ["timestream:DescribeEndpoints"],
        anyId: "*/*") { id, region, account in
        "arn:aws:timestream:\(region):\(account):database/" + id.replacingOccurrences(of: "/", with: "/table/")
    }

    /// DescribeTable, one table at a time, at the endpoint Timestream assigns.
    public static func read(_ targets: [LiveTarget], with client: AWSClient) async -> [String: LiveRead] {
        let endpoint: String?
        do {
            endpoint = try await discoveredEndpoint(client)
        } catch {
            let reason = LiveRead.failed(Reading.reason(error))
            return Dictionary(targets.map { ($0.id, reason) }, uniquingKeysWith: { a, _ in a })
        }
        return await Reading.each(targets, missing: ["ResourceNotFoundException"]) { target in
            let parts = target.id.split(separator: "/", maxSplits: 1).map(String.init)
            let table = try await client.json(.timestreamWrite, "DescribeTable", .map([
                "DatabaseName": .string(parts[0]), "TableName": .string(parts.count > 1 ? parts[1] : ""),
            ]), endpoint: endpoint)
            guard let retention = table["Table"]?["RetentionProperties"] else { return .found([:]) }
            return .found(["RetentionProperties": retention])
        }
    }

    /// Timestream requires endpoint discovery (DescribeEndpoints) on AWS; an
    /// endpoint set with AWS_ENDPOINT_URL is used as it is.
    static func discoveredEndpoint(_ client: AWSClient) async throws -> String? {
        guard client.endpoints.endpoint(for: .timestreamWrite, region: client.region).source == "default" else { return nil }
        let answer = try await client.json(.timestreamWrite, "DescribeEndpoints")
        return answer["Endpoints"]?.list?.first?["Address"]?.string.map { "https://" + $0 }
    }
    /// CloudFormation may name a table `database|table`.
    public static func id(fromPhysicalId physicalId: String) -> String {
        physicalId.replacingOccurrences(of: "|", with: "/")
    }

    /// UpdateTable takes both retention periods; the unchanged one is kept.
    public static func plannedReads(_ targets: [LiveTarget]) -> [String: Int] {
        ["DescribeTable": targets.count]
    }

    public static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.change(drift, call: "timestream:UpdateTable") { set in
            ChangeBuilder.keep("/RetentionProperties/MemoryStoreRetentionPeriodInHours", from: drift.live, in: &set)
            ChangeBuilder.keep("/RetentionProperties/MagneticStoreRetentionPeriodInDays", from: drift.live, in: &set)
        }.map { [$0] } ?? []
    }

    public static func apply(_ change: PlannedChange, with client: AWSClient) async throws {
        let parts = change.id.split(separator: "/", maxSplits: 1).map(String.init)
        var retention: [String: Value] = [:]
        retention["MemoryStoreRetentionPeriodInHours"] = change.to("/RetentionProperties/MemoryStoreRetentionPeriodInHours")
        retention["MagneticStoreRetentionPeriodInDays"] = change.to("/RetentionProperties/MagneticStoreRetentionPeriodInDays")
        _ = try await client.json(.timestreamWrite, "UpdateTable", .map([
            "DatabaseName": .string(parts[0]), "TableName": .string(parts.count > 1 ? parts[1] : ""), "RetentionProperties": .map(retention),
        ]), endpoint: try await discoveredEndpoint(client))
    }
}
