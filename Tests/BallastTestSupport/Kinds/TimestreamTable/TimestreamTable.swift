import BallastAWS
import BallastCore
import Foundation

/// `AWS::Timestream::Table` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let timestreamTable = KindMaterial(
        type: "AWS::Timestream::Table",
        seed: {
            try await $0.timestreamTable($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("tsdb").replacingOccurrences(of: "-", with: "_") + "/positions" },
            live: [
                "RetentionProperties": [
                    "MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 30,
                ]
            ],
            desired:
                "{RetentionProperties: {MemoryStoreRetentionPeriodInHours: 12, "
                + "MagneticStoreRetentionPeriodInDays: 365}}"
        ),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::Timestream::Table", "bench_db_\(i % 5)/table_\(i)",
                [
                    "RetentionProperties": [
                        "MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 365,
                    ]
                ],
                "{RetentionProperties: {MemoryStoreRetentionPeriodInHours: \(d ? 12 : 24)}}", drifted: d)
        })
}

extension LiveSeeder {
    func timestreamTable(_ id: String, _ p: [String: Value]) async throws {
        let parts = id.split(separator: "/").map(String.init)
        // moto's CreateDatabase replaces an existing database, tables and all: look first, once per
        // database and server, so two tables seeded at once cannot both create it (the second
        // creation dropped the first's table: a resource the scale tests then found DELETED).
        let database = Value.map(["DatabaseName": .string(parts[0])])
        let server = client.endpoints.endpoint(for: .timestreamWrite, region: client.region).url
        try await TimestreamDatabases.shared.ensure(server + "|" + parts[0]) { [client] in
            if (try? await client.json(.timestreamWrite, "DescribeDatabase", database)) == nil {
                try await tolerant { _ = try await client.json(.timestreamWrite, "CreateDatabase", database) }
            }
        }
        var table: [String: Value] = ["DatabaseName": .string(parts[0]), "TableName": .string(parts[1])]
        table["RetentionProperties"] = p["RetentionProperties"]
        try await tolerant { _ = try await client.json(.timestreamWrite, "CreateTable", .map(table)) }
    }
}

/// Each Timestream database is made once, however many of its tables are seeded at once.
actor TimestreamDatabases {
    static let shared = TimestreamDatabases()
    private var made: [String: Task<Void, any Error>] = [:]

    func ensure(_ key: String, _ make: @escaping @Sendable () async throws -> Void) async throws {
        if let task = made[key] { return try await task.value }
        let task = Task { try await make() }
        made[key] = task
        try await task.value
    }
}
