import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// What `ballast-bench fleet` measures, at a size a test runs: three accounts holding the kinds' mix
/// (moto's answers for one account, each account's id put in), drift as three shards against
/// `FleetAWS` (AWS's quotas per account, one bucket each that the shards share), the shards' reports merged by
/// `ballast report merge` equal to one unsharded run's, every drifted resource found in every account,
/// nothing throttled.
@Suite struct FleetTests {
    @Test func threeShardsAgainstThreeAccountsMergeToOneRunsReport() async throws {
        let moto = try MotoServer(authenticated: false)
        let setup = AWSSetup(environment: moto.environment, transport: CurlTransport(maxConcurrent: 16),
                             rates: .unpaced(inFlight: 16))
        let seeder = LiveSeeder(client: setup.client(region: "us-east-1"))
        let items = try await ScaleFixture.seed(ScaleFixture.items(200) { $0 % 3 == 2 }, with: seeder)
        let drifted = items.filter(\.drifted).count
        let accounts = ["200000000001", "200000000002", "200000000003"]
        let repo = try FleetAWS.repository(items, accounts: accounts)
        let recording = FleetAWS.Recording()
        _ = try await FleetAWS(recording: recording, emulator: moto.endpoint,
                               quotas: try FleetQuotas(path: repo.path + "/warm-up-quotas"))
            .drift(repo: repo.path, environments: ["acct-\(accounts[0])"], shard: nil)
        #expect(recording.count > 20)

        func run(_ count: Int) async throws -> (files: [String], throttled: Int, calls: [String: Int]) {
            var files: [String] = [], throttled = 0, calls: [String: Int] = [:]
            let quotas = try FleetQuotas(path: repo.path + "/quotas-\(count)")
            for index in 1...count {
                let aws = FleetAWS(recording: FleetAWS.Recording(json: recording.json), emulator: moto.endpoint,
                                   quotas: quotas, latency: 0.005)
                let (report, kept, declared) = try await aws.drift(
                    repo: repo.path, environments: [], shard: Shard(index: index, count: count))
                #expect(declared == items.count * accounts.count)
                #expect(count == 1 ? kept == declared : kept < declared)
                let file = repo.path + "/shard-\(index)-of-\(count).json"
                try JSON.encode(report).write(toFile: file, atomically: true, encoding: .utf8)
                files.append(file)
                throttled += aws.counts.throttled.values.reduce(0, +)
                calls.merge(aws.counts.calls) { $0 + $1 }
            }
            return (files, throttled, calls)
        }
        let sharded = try await run(3), whole = try await run(1)
        let merged = try Run.ballast(["report", "merge"] + sharded.files + ["--output", "json"])
        let one = try Run.ballast(["report", "merge"] + whole.files + ["--output", "json"])
        #expect(merged.status == 2 && one.status == 2, "\(merged.stderr) \(one.stderr)")
        #expect(try comparableReport(merged.stdout) == comparableReport(one.stdout))
        let summary = try JSON.parse(merged.stdout)["summary"]
        #expect(summary?["modified"] == .int(drifted * accounts.count), "\(summary.map { JSON.encode($0) } ?? "")")
        #expect(summary?["notChecked"] == .int(0))
        #expect(sharded.throttled == 0 && whole.throttled == 0)
        // Every account was read, each as its own (its role assumed, its quota its own).
        #expect(Set(sharded.calls.keys).isSuperset(of: accounts))
    }

    /// The fleet's quotas are AWS's: one bucket per account and quota, whichever process takes from it.
    /// Two mappings of one file (each its own descriptor and lock, as two shard processes have) spend one
    /// burst; another account's bucket is its own; the bucket refills at the quota's rate (times handed in).
    @Test func everyShardDrawsOnTheAccountsOneBucket() throws {
        let directory = try TempRepository()
        let path = directory.path + "/quotas"
        let first = try FleetQuotas(path: path), second = try FleetQuotas(path: path)
        let quota = try #require(AWSQuotas.quota(of: "Logs_20140328.DescribeLogGroups"))
        #expect(quota.perSecond == 10 && quota.burst == 10)
        let taken = (0..<20).filter { ($0 % 2 == 0 ? first : second).take(quota, account: "200000000001", at: 100) }
        #expect(taken.count == 10, "the two mappings took \(taken.count) of a burst of 10")
        #expect(second.take(quota, account: "200000000002", at: 100))
        let other = try #require(AWSQuotas.quota(of: "Action=DescribeAlarms"))
        #expect(first.take(other, account: "200000000001", at: 100))
        let refilled = (0..<5).filter { _ in second.take(quota, account: "200000000001", at: 100.25) }
        #expect(refilled.count == 2, "after 0.25 s at 10 a second: \(refilled.count) taken")
    }
}
