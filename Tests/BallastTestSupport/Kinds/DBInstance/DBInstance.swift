import BallastAWS
import BallastCore
import Foundation

/// `AWS::RDS::DBInstance` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let dbInstance = KindMaterial(
        type: "AWS::RDS::DBInstance",
        seed: {
            try await $0.dbInstance($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("db") },
            live: ["BackupRetentionPeriod": 1, "DeletionProtection": false, "PreferredBackupWindow": "03:00-04:00"],
            desired: "{BackupRetentionPeriod: 14, DeletionProtection: true, PreferredBackupWindow: \"01:00-02:00\"}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::RDS::DBInstance", "bench-db-\(i)", ["BackupRetentionPeriod": 7, "DeletionProtection": false],
                "{BackupRetentionPeriod: \(d ? 14 : 7), DeletionProtection: false}", drifted: d)
        })
}

extension LiveSeeder {
    func dbInstance(_ name: String, _ p: [String: Value]) async throws {
        var parameters = [
            "DBInstanceIdentifier": name, "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
            "AllocatedStorage": "20", "MasterUsername": "seed", "MasterUserPassword": "seed-password-1",
        ]
        for key in [
            "BackupRetentionPeriod", "PreferredBackupWindow", "PreferredMaintenanceWindow", "DeletionProtection",
        ] {
            parameters[key] = p[key]?.plain
        }
        try await tolerant { _ = try await client.query(.rds, "CreateDBInstance", parameters) }
    }
}
