import BallastCore

/// RDS instances: backups, maintenance windows and deletion protection.
public struct DBInstanceKind: ResourceKind {
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

    public static let schema = ResourceSchema(
        type: "AWS::RDS::DBInstance",
        properties: ObjectSchema([
            ("BackupRetentionPeriod", .integer(0...35)),
            ("PreferredBackupWindow", .string(backupWindow)),
            ("PreferredMaintenanceWindow", .string(maintenanceWindow)),
            ("DeletionProtection", .boolean),
        ]))
}
