import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// The test support's seeding is itself correct under concurrency: the scale tests seed 16 at once.
@Suite struct SeederTests {
    /// Tables of one new Timestream database seeded at once all exist afterwards (moto's
    /// CreateDatabase replaces a database; a second creation used to drop the first's tables).
    @Test func timestreamTablesOfOneDatabaseSeededAtOnceAllExist() async throws {
        let prefix = "seed_" + UUID().uuidString.prefix(8).lowercased()
        // Between moto and the seeder: every DescribeDatabase answered late and every CreateDatabase
        // sent after a random wait, so tasks of one database overlap as on a loaded machine.
        let port = MotoServer.shared.port
        let proxy = try LoopbackHTTPServer { request in
            let target = request.headers.first { $0.key.lowercased() == "x-amz-target" }?.value ?? ""
            if target.hasSuffix(".CreateDatabase") { Thread.sleep(forTimeInterval: Double.random(in: 0...0.4)) }
            let answer = LoopbackHTTPServer.forward(request, toPort: port)
            if target.hasSuffix(".DescribeDatabase") { Thread.sleep(forTimeInterval: 0.3) }
            return answer.map { .raw($0) } ?? .drop
        }
        let environment = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": proxy.url]) { $1 }
        let seeder = LiveSeeder(client: AWSSetup(environment: environment, rates: .unpaced(inFlight: 64))
            .client(region: "us-east-1"))
        let ids = (0..<64).map { "\(prefix)_\($0 % 8)/table_\($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids {
                group.addTask {
                    try await seeder.create("AWS::Timestream::Table", id: id,
                                            ["RetentionProperties": ["MemoryStoreRetentionPeriodInHours": 24,
                                                                     "MagneticStoreRetentionPeriodInDays": 365]])
                }
            }
            try await group.waitForAll()
        }
        var missing: [String] = []
        for id in ids {
            let parts = id.split(separator: "/").map(String.init)
            let found = try? await seeder.client.json(.timestreamWrite, "DescribeTable",
                ["DatabaseName": .string(parts[0]), "TableName": .string(parts[1])])
            if found == nil { missing.append(id) }
        }
        #expect(missing.isEmpty, "tables missing after seeding: \(missing)")
    }
}
