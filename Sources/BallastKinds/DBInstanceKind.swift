import BallastCore

/// RDS instances: backups, maintenance windows and deletion protection.
public struct DBInstanceKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive, plannedReads: plannedReads, changes: changes(for:))

    /// Fewer days of automated backups shorten the restore window (0 turns them off); deletion
    /// protection off lets the instance be deleted.
    static let destructive = [
        DestructiveChange(
            "/BackupRetentionPeriod", .lowered,
            reason: "Fewer days of automated backups shorten the point-in-time restore window, and 0 turns "
                + "automated backups off (an outage when it goes to or from 0).",
            source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/"
                + "USER_WorkingWithAutomatedBackups.BackupRetention.html"),
        DestructiveChange(
            "/DeletionProtection", .turnedOff,
            reason: "Without deletion protection the instance can be deleted by any caller allowed to.",
            source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html"),
    ]

    /// What else changes what it owns: the instance deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.rds, "DeleteDBInstance"),
    ]

    static let describeDBInstances = APIOperation(.rds, "DescribeDBInstances")
    static let modifyDBInstance = APIOperation(.rds, "ModifyDBInstance")

    /// `hh24:mi-hh24:mi`, UTC.
    static let backupWindow = StringFormat("hh24:mi-hh24:mi, UTC") { s in
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { isTime($0) }
    }

    /// `ddd:hh24:mi-ddd:hh24:mi`, UTC.
    static let maintenanceWindow = StringFormat("ddd:hh24:mi-ddd:hh24:mi, UTC") { s in
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { part in
            part.count == 9 && days.contains(String(part.prefix(3))) && part.dropFirst(3).first == ":"
                && isTime(part.dropFirst(4))
        }
    }

    static func isTime(_ s: Substring) -> Bool {
        let hm = s.split(separator: ":", omittingEmptySubsequences: false)
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, let h = Int(hm[0]), let m = Int(hm[1]) else {
            return false
        }
        return (0...23).contains(h) && (0...59).contains(m)
    }

    static let permissions = KindPermissions(
        read: [describeDBInstances],
        write: [modifyDBInstance]) { id, region, account in
        "arn:aws:rds:\(region):\(account):db:\(ARN.name(id, after: "db:"))"
    }

    /// `aws_db_instance`.
    static let terraform = TerraformMapping("aws_db_instance", idAttribute: "identifier", [
        .init("/BackupRetentionPeriod", "backup_retention_period"),
        .init("/PreferredBackupWindow", "backup_window", convert: TerraformValue.unless("")),
        .init("/PreferredMaintenanceWindow", "maintenance_window", convert: TerraformValue.unless("")),
        .init("/DeletionProtection", "deletion_protection"),
    ])

    static let properties = ResourceSchema(
        type: "AWS::RDS::DBInstance",
        properties: ObjectSchema([
            ("BackupRetentionPeriod", .integer(0...35)),
            ("PreferredBackupWindow", .string(backupWindow)),
            ("PreferredMaintenanceWindow", .string(maintenanceWindow)),
            ("DeletionProtection", .boolean),
        ]))
    /// DescribeDBInstances with a `db-instance-id` filter: up to 100 instances a call.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.inBatches(targets, of: 100) { batch in
            var parameters = ["MaxRecords": "100", "Filters.Filter.1.Name": "db-instance-id"]
            for (index, target) in batch.enumerated() {
                parameters["Filters.Filter.1.Values.Value.\(index + 1)"] = target.id
            }
            let instances = try await client.queryPages(describeDBInstances, parameters, token: "Marker")
                .items("DBInstances")
            var found: [String: [String: Value]] = [:]
            for instance in instances {
                let live = ["BackupRetentionPeriod": instance.int("BackupRetentionPeriod"),
                            "PreferredBackupWindow": instance.string("PreferredBackupWindow"),
                            "PreferredMaintenanceWindow": instance.string("PreferredMaintenanceWindow"),
                            "DeletionProtection": instance.bool("DeletionProtection")].compactMapValues { $0 }
                // The filter takes names and ARNs alike; answer under both.
                for key in ["DBInstanceIdentifier", "DBInstanceArn"] {
                    if let id = instance.child(key)?.text { found[id] = live }
                }
            }
            return Reading.pair(batch, found)
        }
    }

    /// One ModifyDBInstance, applied now rather than in the next maintenance window.
    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeDBInstances: Reading.batches(targets.count, of: 100)]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, modifyDBInstance)
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [modifyDBInstance: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        var parameters = ["DBInstanceIdentifier": ARN.name(change.id, after: "db:"), "ApplyImmediately": "true"]
        for key in [
            "BackupRetentionPeriod", "PreferredBackupWindow", "PreferredMaintenanceWindow", "DeletionProtection",
        ] {
            parameters[key] = change.to("/" + key).map { $0.string ?? $0.description }
        }
        _ = try await client.query(modifyDBInstance, parameters)
    }
}
