import BallastAWS
import BallastCore
import BallastKinds
import BallastEngine
import BallastDesiredState
import BallastTestSupport
import Foundation

/// `ballast drift` over N resources of every kind in moto: wall time of the
/// release binary, the API calls it made (counted by a loopback proxy in front
/// of moto), and the smallest possible call count for the same set from each
/// kind's batch sizes. Every tenth resource is drifted, and the run must find
/// exactly those, so the figures are for a correct answer.
enum DriftBenchmark {
    static func run(_ arguments: [Int]) async throws {
        let total = arguments.count > 0 ? arguments[0] : 2_000
        let runs = arguments.count > 1 ? arguments[1] : 3
        let (moto, environment, seeder) = try emulator()

        let fixture = ScaleFixture.items(total) { $0 % 10 == 9 }
        say("seeding \(fixture.count) resources of \(ScaleFixture.kinds.count) kinds in moto (\(moto.endpoint)) ...")
        let seedStart = Date()
        let items = try await ScaleFixture.seed(fixture, with: seeder)
        say(String(format: "  seeded in %.1f s", Date().timeIntervalSince(seedStart)))

        let repo = try ScaleFixture.repository(items)
        let binary = Run.ballastBinary.replacingOccurrences(of: "/debug/", with: "/release/")
        let expectedDrift = items.filter { $0.drifted }.count

        var seconds: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try Run.process(
                binary, ["drift", "--repo", repo.path, "--output", "json"], environment: environment)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            try check(result, expectedDrift: expectedDrift, resources: items.count)
        }

        // One more run through a counting proxy for the call count.
        let counter = try LoopbackHTTPServer { request in
            LoopbackHTTPServer.forward(request, toPort: moto.port).map { .raw($0) } ?? .drop
        }
        var proxied = environment
        proxied["AWS_ENDPOINT_URL"] = counter.url
        try check(try Run.process(binary, ["drift", "--repo", repo.path, "--output", "json"], environment: proxied),
                  expectedDrift: expectedDrift, resources: items.count)
        let calls = counter.requestCount
        let minimum = try minimalCalls(repo.path)

        seconds.sort()
        say("ballast drift (release) over \(items.count) resources, \(expectedDrift) drifted, all found")
        say(
            String(
                format: "  wall time   runs %d   min %.2f s   median %.2f s   max %.2f s", runs, seconds.first!,
                seconds[seconds.count / 2], seconds.last!))
        say(
            String(
                format:
                    "  API calls   %d made   %.3f per resource   smallest possible %d   ratio %.3f (target <= 1.1)",
                calls, Double(calls) / Double(items.count), minimum, Double(calls) / Double(minimum)))
    }

    /// A moto server of the benchmark's own, the environment that points the binary at it, and a seeder.
    static func emulator() throws -> (MotoServer, [String: String], LiveSeeder) {
        // One server for every service, so the proxy counts every call.
        let moto = try MotoServer(authenticated: false)
        var environment = ProcessInfo.processInfo.environment.merging(moto.environment) { _, new in new }
        environment["NO_COLOR"] = "1"
        environment["AWS_PROFILE"] = nil
        // Seeding is not what is measured: unpaced, as fast as moto takes it.
        let setup = AWSSetup(environment: environment, transport: CurlTransport(maxConcurrent: 16),
                             rates: .unpaced(inFlight: 16))
        let client = setup.client(region: "us-east-1")
        return (moto, environment, LiveSeeder(client: client))
    }

    static func check(_ result: Run.Result, expectedDrift: Int, resources: Int) throws {
        guard result.status == 2, let report = try? JSON.parse(result.stdout), let summary = report["summary"],
              summary["modified"] == .int(expectedDrift), summary["inSync"] == .int(resources - expectedDrift) else {
            // Name what differed: the summary and every resource not in sync (not the whole report).
            let report = try? JSON.parse(result.stdout)
            let odd = (report?["environments"]?.list ?? []).flatMap { $0["resources"]?.list ?? [] }
                .filter { $0["status"] != "IN_SYNC" }
                .map {
                    "\($0["status"]?.string ?? "") \($0["type"]?.string ?? "") \($0["id"]?.string ?? "") "
                        + "\($0["reason"]?.string ?? JSON.encode($0["differences"] ?? .null))"
                }
            throw TestFailure(
                "drift did not find exactly the \(expectedDrift) drifted resources (exit \(result.status)): "
                    + JSON.encode(report?["summary"] ?? .null) + "\n" + odd.joined(separator: "\n") + "\n"
                    + result.stderr.prefix(400))
        }
    }

    /// The fewest calls the APIs allow for the repository's resources: each kind's own batch sizes
    /// (its schema's planned reads, which `--dry-run-reads` prints), plus the account guard's STS
    /// call; any paging an answer needs comes on top.
    static func minimalCalls(_ repository: String) throws -> Int {
        let loaded = try DesiredStateLoader(kinds: .builtIn).load(LoadRequest(repositoryPath: repository))
        return ReadPlan(loaded.state).total
    }
}
