import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation

/// Organisation scale, on this machine and one moto process:
/// - `accounts N A`: N resources of every kind spread over A moto accounts (an environment
///   per account, each assuming a role there), drift at 1, 2 and 4 shards run side by side
///   (as a CI matrix would) and merged; wall time, and calls per resource from a counting proxy.
/// - `latency N`: N resources behind a proxy that holds every answer 40 ms: drift paced at
///   ballast's rates beside the same run unpaced (at most 8 calls in flight per service, as
///   ballast did before it paced), with the calls per second each sent to its busiest service.
enum ScaleBenchmark {
    static func accounts(_ arguments: [Int]) async throws {
        let total = arguments.count > 0 ? arguments[0] : 10_000
        let accountCount = arguments.count > 1 ? arguments[1] : 10
        let (moto, environment, _) = try DriftBenchmark.emulator()
        let binary = Run.ballastBinary.replacingOccurrences(of: "/debug/", with: "/release/")
        let accounts = (0..<accountCount).map { String(format: "2000000000%02d", $0) }
        let perAccount = ScaleFixture.items(total / accountCount) { $0 % 10 == 9 }
        say("seeding \(perAccount.count) resources in each of \(accountCount) accounts (\(moto.endpoint)) ...")
        let seedStart = Date()
        let setup = AWSSetup(environment: environment,
                             rates: .unpaced(inFlight: 16))
        var seeded: [String: [ScaleFixture.Item]] = [:]
        for account in accounts {
            let role = RoleToAssume(roleArn: "arn:aws:iam::\(account):role/ballast-drift")
            let client = setup.client(region: "us-east-1", role: role)
            let seeder = LiveSeeder(client: client, account: account)
            seeded[account] = try await ScaleFixture.seed(perAccount, with: seeder)
        }
        say(String(format: "  seeded in %.0f s", Date().timeIntervalSince(seedStart)))

        let repo = try TempRepository()
        var files: [String: String] = [:]
        for account in accounts {
            files["desired-state/acct-\(account)/environment.yaml"] = "region: us-east-1\naccount: \"\(account)\"\n"
                + "assumeRole:\n  roleArn: arn:aws:iam::\(account):role/ballast-drift\n"
            let resources = (seeded[account] ?? []).map(\.desired).joined()
            files["desired-state/acct-\(account)/resources.yaml"] = "resources:\n" + resources
        }
        _ = try repo.commit(files, message: "bench accounts")
        let resources = perAccount.count * accountCount
        let drifted = perAccount.filter { $0.drifted }.count * accountCount

        say("ballast drift (release), \(resources) resources in \(accountCount) accounts, \(drifted) drifted")
        for shards in [1, 2, 4] {
            let counter = try LoopbackHTTPServer { request in
                LoopbackHTTPServer.forward(request, toPort: moto.port).map { .raw($0) } ?? .drop
            }
            var proxied = environment
            proxied["AWS_ENDPOINT_URL"] = counter.url
            let start = Date()
            let (path, environment) = (repo.path, proxied)
            let reports = try await withThrowingTaskGroup(of: String.self) { group in
                for shard in 1...shards {
                    group.addTask {
                        let out = path + "/shard-\(shard)-of-\(shards).json"
                        var arguments = ["drift", "--repo", path, "--output", "json", "--out-json", out]
                        if shards > 1 { arguments += ["--shard", "\(shard)/\(shards)"] }
                        let result = try Run.process(binary, arguments, environment: environment)
                        guard result.status == 2 else {
                            throw TestFailure("shard \(shard)/\(shards) exit \(result.status): "
                                + result.stderr.prefix(400))
                        }
                        return out
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            let merged = try Run.process(binary, ["report", "merge"] + reports.sorted() + ["--output", "json"],
                                         environment: environment)
            let seconds = Date().timeIntervalSince(start)
            let summary = try JSON.parse(merged.stdout)["summary"]
            guard summary?["modified"] == .int(drifted), summary?["inSync"] == .int(resources - drifted) else {
                let found = summary.map { JSON.encode($0) } ?? merged.stderr
                throw TestFailure("merged report is not the seeded drift: \(found)")
            }
            say(String(format: "  %d shard%@  wall %6.1f s   %5d calls   %.3f calls per resource   "
                + "all %d drifted found",
                       shards, shards == 1 ? " " : "s", seconds, counter.requestCount,
                       Double(counter.requestCount) / Double(resources), drifted))
            counter.stop()
        }
    }

    /// N resources of every kind seeded in a moto of the benchmark's own (every tenth
    /// drifted), their desired state committed, and the release binary to run on them.
    struct World {
        let moto: MotoServer
        let environment: [String: String]
        let binary: String
        let items: [ScaleFixture.Item]
        let repo: TempRepository
        var drifted: Int { items.filter { $0.drifted }.count }
    }

    static func world(_ total: Int) async throws -> World {
        let (moto, environment, seeder) = try DriftBenchmark.emulator()
        let binary = Run.ballastBinary.replacingOccurrences(of: "/debug/", with: "/release/")
        let fixture = ScaleFixture.items(total) { $0 % 10 == 9 }
        say("seeding \(fixture.count) resources of \(ScaleFixture.kinds.count) kinds in moto ...")
        let items = try await ScaleFixture.seed(fixture, with: seeder)
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/bench/environment.yaml": "region: us-east-1\naccount: \"123456789012\"\n",
                             "desired-state/bench/resources.yaml": "resources:\n" + items.map(\.desired).joined()],
                            message: "bench")
        return World(moto: moto, environment: environment, binary: binary, items: items, repo: repo)
    }

    static func latency(_ arguments: [Int]) async throws {
        let world = try await world(arguments.count > 0 ? arguments[0] : 2_000)
        let (moto, environment, binary, items, repo, drifted) =
            (world.moto, world.environment, world.binary, world.items, world.repo, world.drifted)
        let plan = try Run.process(binary, ["drift", "--repo", repo.path, "--dry-run-reads"], environment: environment)
        say("ballast drift (release) of \(items.count) resources behind a proxy holding every answer 40 ms")
        say("  " + (plan.stdout.split(separator: "\n").first { $0.contains("at least") }.map(String.init) ?? ""))
        for (label, rates) in [("paced at ballast's rates", nil), ("unpaced, 8 in flight per service", "unpaced")] {
            let proxy = try ThrottlingProxy(forwardingTo: moto.port, latency: 0.04)
            var slow = environment
            slow["AWS_ENDPOINT_URL"] = proxy.url
            slow["BALLAST_API_RATES"] = rates
            let start = Date()
            let result = try Run.process(binary, ["drift", "--repo", repo.path, "--output", "json"], environment: slow)
            let seconds = Date().timeIntervalSince(start)
            try DriftBenchmark.check(result, expectedDrift: drifted, resources: items.count)
            let byService = Dictionary(grouping: proxy.counts.passed) { Self.service($0.key) }
                .mapValues { $0.reduce(0) { $0 + $1.value } }
            let busiest = byService.max { $0.value < $1.value }!
            say(String(format: "  %-34@ wall %5.1f s   %d calls   busiest service %@: %d calls, %.1f per second",
                       label as NSString, seconds, byService.values.reduce(0, +), busiest.key as NSString,
                       busiest.value, Double(busiest.value) / seconds))
            proxy.stop()
        }
    }

    /// The service an operation (as the proxy names it) belongs to.
    static func service(_ operation: String) -> String {
        if operation.hasPrefix("Action=") { return "query:" + operation.dropFirst(7) }
        if operation.contains("functions/") { return "lambda" }
        if operation.hasPrefix("GET ?") || operation.hasPrefix("PUT ?") { return "s3" }
        return String(operation.split(separator: ".").first ?? "")
    }
}
