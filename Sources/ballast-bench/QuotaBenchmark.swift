import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation

/// `quotas N`: ballast against an AWS that throttles as AWS documents: N resources of every
/// kind in moto behind a proxy that holds every answer 40 ms and limits every operation with a
/// documented quota to it (`AWSQuotas`: token bucket, one second of burst), answering a request
/// over it with that service's own throttling error. `ballast drift`, then `ballast apply` of
/// the drift (every tenth resource), each through a fresh proxy: wall time, calls, throttled
/// answers, and the floor (the least time the documented quotas allow for those calls).
enum QuotaBenchmark {
    static let latency = 0.04

    static func run(_ arguments: [Int]) async throws {
        let world = try await ScaleBenchmark.world(arguments.count > 0 ? arguments[0] : 2_000)
        let (moto, environment, binary, items, repo, drifted) =
            (world.moto, world.environment, world.binary, world.items, world.repo, world.drifted)
        say("ballast (release), \(items.count) resources, \(drifted) drifted, behind AWS's documented quotas "
            + "and 40 ms a round trip")

        let drift = try measure(binary, ["drift", "--repo", repo.path, "--output", "json"], environment, moto)
        try DriftBenchmark.check(drift.result, expectedDrift: drifted, resources: items.count)
        print(drift.line("drift"))
        // The emulator's own time for the same reads: no quota, no pacing, 40 ms a round trip.
        var unpaced = environment
        unpaced["BALLAST_API_RATES"] = "unpaced"
        let emulator = try measure(binary, ["drift", "--repo", repo.path, "--output", "json"], unpaced, moto,
                                   quotas: false)
        try DriftBenchmark.check(emulator.result, expectedDrift: drifted, resources: items.count)
        print(
            String(format: "  (the same drift unpaced, no quotas: %.2f s, what moto itself takes)", emulator.seconds))

        let apply = try measure(binary, ["apply", "--repo", repo.path, "--auto-approve"], environment, moto)
        let applied = "Apply: \(drifted) of \(drifted) changes applied, \(drifted) verified"
        guard apply.result.status == 0, apply.result.stdout.contains(applied) else {
            throw TestFailure("apply did not apply and verify all \(drifted) (exit \(apply.result.status)): "
                + String(apply.result.stdout.suffix(600)) + apply.result.stderr.prefix(400))
        }
        print(apply.line("apply"))
        print("  floor: the documented quotas' least time for the calls made (each bucket's burst at once, the rest "
            + "at its rate, all buckets together, plus a 40 ms round trip); for an apply, its reads, writes and "
            + "read-back in turn, as a run that plans before it writes must")
    }

    struct Measured {
        let result: Run.Result
        let seconds: Double
        let calls: [String: Int]
        let throttled: [String: Int]
        let arrivals: [String: (first: Double, last: Double)]
        let log: [(operation: String, at: Double)]

        var floor: Double { AWSQuotas.phasedFloorSeconds(log, roundTrip: QuotaBenchmark.latency) }

        func line(_ step: String) -> String {
            let total = calls.values.reduce(0, +), throttledTotal = throttled.values.reduce(0, +)
            let which = throttled.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key) \($0.value)" }
            return String(format: "  %@  wall %6.2f s   %5d calls   %d throttled%@   floor %5.2f s   %.2fx the floor",
                          step as NSString, seconds, total, throttledTotal,
                          (which.isEmpty ? "" : " (" + which.joined(separator: ", ") + ")") as NSString,
                          floor, seconds / floor)
                + "\n      slowest buckets: " + AWSQuotas.bucketSeconds(calls).prefix(3)
                    .map { String(format: "%@ %d calls %.2f s", $0.bucket as NSString, $0.calls, $0.seconds) }
                    .joined(separator: ", ")
                + "\n      first asked: " + arrivals.sorted { $0.value.first < $1.value.first }.prefix(4)
                    .map { String(format: "%@ %.2f s", $0.key as NSString, $0.value.first) }
                    .joined(separator: ", ")
                + "\n      last to finish: " + arrivals.sorted { $0.value.last > $1.value.last }.prefix(4)
                    .map { String(format: "%@ %.2f-%.2f s", $0.key as NSString, $0.value.first, $0.value.last) }
                    .joined(separator: ", ")
        }
    }

    /// Runs the binary through a fresh AWS-quota proxy.
    static func measure(_ binary: String, _ arguments: [String], _ environment: [String: String],
                        _ moto: MotoServer, quotas: Bool = true) throws -> Measured {
        let proxy = try ThrottlingProxy(forwardingTo: moto.port, latency: latency, awsQuotas: quotas)
        defer { proxy.stop() }
        var proxied = environment
        proxied["AWS_ENDPOINT_URL"] = proxy.url
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try Run.process(binary, arguments, environment: proxied)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Measured(result: result, seconds: seconds, calls: proxy.counts.passed,
                        throttled: proxy.throttledOperations, arrivals: proxy.arrivals, log: proxy.log)
    }
}
