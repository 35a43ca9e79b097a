import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation

/// `ballast plan --out` then `ballast apply FILE` for N changes across every
/// kind in moto: wall time and API calls of each step (a counting proxy in
/// front of moto). Each run seeds fresh resources, all drifted, so every run
/// writes N changes; the apply must report all N applied and verified.
enum ApplyBenchmark {
    static func run(_ arguments: [Int]) async throws {
        let total = arguments.count > 0 ? arguments[0] : 500
        let runs = arguments.count > 1 ? arguments[1] : 3
        let (moto, environment, seeder) = try DriftBenchmark.emulator()
        let binary = Run.ballastBinary.replacingOccurrences(of: "/debug/", with: "/release/")
        let kinds = ScaleFixture.kinds

        var planned: [(seconds: Double, calls: Int)] = [], applied: [(seconds: Double, calls: Int)] = []
        for run in 0..<runs {
            // Fresh names each run (offset indices): every resource drifted, one write each.
            let fixture = (0..<total).map { n in kinds[n % kinds.count](run * 100_000 + n / kinds.count, true) }
            say("run \(run + 1)/\(runs): seeding \(fixture.count) drifted resources ...")
            let items = try await ScaleFixture.seed(fixture, with: seeder)
            let repo = try ScaleFixture.repository(items)
            let planFile = repo.path + "/bench.plan.json"

            let (plan, planStep) = try timed(
                binary, ["plan", "--repo", repo.path, "--out", planFile, "--output", "json"], environment, moto)
            let changes = (try? JSON.parse(plan.stdout))?["changes"]?.list?.count ?? 0
            guard plan.status == 2, changes == total else {
                throw TestFailure(
                    "plan made \(changes) changes, expected \(total) (exit \(plan.status)): \(plan.stderr.prefix(400))"
                )
            }
            let (apply, applyStep) = try timed(binary, ["apply", planFile, "--repo", repo.path], environment, moto)
            guard apply.status == 0,
                apply.stdout.contains("Apply: \(total) of \(total) changes applied, \(total) verified")
            else {
                throw TestFailure(
                    "apply did not apply and verify all \(total) (exit \(apply.status)): "
                        + String(apply.stdout.suffix(600)) + apply.stderr.prefix(400))
            }
            planned.append(planStep)
            applied.append(applyStep)
            say(
                String(
                    format: "  plan %.2f s, %d calls; apply %.2f s, %d calls", planStep.seconds, planStep.calls,
                    applyStep.seconds, applyStep.calls))
        }
        say(
            "ballast plan --out + apply FILE (release), \(total) changes of \(kinds.count) kinds, all applied "
                + "and verified"
        )
        report("plan ", planned, total)
        report("apply", applied, total)
        say(
            "  apply calls = re-read for the stale check + \(total) writes (an alarm re-put reads the alarm "
                + "first, a KMS alias"
                + " is resolved to its key) + read-back of the written resources + STS for the account")
    }

    /// Runs the binary through a fresh counting proxy.
    static func timed(
        _ binary: String, _ arguments: [String], _ environment: [String: String], _ moto: MotoServer
    ) throws -> (Run.Result, (seconds: Double, calls: Int)) {
        let counter = try LoopbackHTTPServer { request in
            LoopbackHTTPServer.forward(request, toPort: moto.port).map { .raw($0) } ?? .drop
        }
        defer { counter.stop() }
        var proxied = environment
        proxied["AWS_ENDPOINT_URL"] = counter.url
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try Run.process(binary, arguments, environment: proxied)
        return (result, (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, counter.requestCount))
    }

    static func report(_ step: String, _ samples: [(seconds: Double, calls: Int)], _ total: Int) {
        let seconds = samples.map(\.seconds).sorted()
        let calls = samples.map(\.calls).sorted()
        say(
            String(
                format:
                    "  %@  wall time min %.2f s  median %.2f s  max %.2f s   API calls median %d (%.2f per change)",
                step, seconds.first!, seconds[seconds.count / 2], seconds.last!, calls[calls.count / 2],
                Double(calls[calls.count / 2]) / Double(total)))
    }
}
