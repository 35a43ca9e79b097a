import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast watch`: the reconcile loop as a long-lived process, scraped like Prometheus
/// scrapes it and stopped like Kubernetes stops it.
@Suite struct WatchTests {
    /// A running `ballast watch` on a free port, its stderr kept in a file.
    final class Watch {
        let process = Process()
        let port: Int
        let log = NSTemporaryDirectory() + "ballast-watch-" + UUID().uuidString + ".log"

        init(_ arguments: [String], repo: TempRepository, environment: [String: String] = [:],
             host: String = "127.0.0.1", binary: String = Run.ballastBinary) throws {
            port = try LoopbackPort.free()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["watch", "--listen", "\(host):\(port)", "--repo", repo.path] + arguments
            var variables = ProcessInfo.processInfo.environment.merging(MotoServer.shared.environment) { $1 }
            variables["AWS_EC2_METADATA_DISABLED"] = "true"
            process.environment = variables.merging(environment) { $1 }
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(atPath: log)
        }

        func get(_ path: String) throws -> String? {
            let result = try Run.process(
                "/usr/bin/env",
                ["curl", "-sS", "--fail", "--max-time", "5", "http://127.0.0.1:\(port)\(path)"])
            return result.status == 0 ? result.stdout : nil
        }

        /// /healthz once a pass whose outcome is one of `outcomes` has finished.
        func lastRun(within seconds: Double = 60, _ wanted: (Value) -> Bool = { _ in true }) throws -> Value {
            let started = Date()
            while Date().timeIntervalSince(started) < seconds {
                if let text = try get("/healthz"), let run = try JSON.parse(text)["lastRun"], wanted(run) {
                    return run
                }
                guard process.isRunning else { throw TestFailure("watch exited: \(stderr)") }
                Thread.sleep(forTimeInterval: 0.2)
            }
            throw TestFailure("no pass finished in \(seconds) s: \(stderr)")
        }

        /// `/metrics` parsed by Prometheus' own Python client: name{labels} -> value.
        func metrics() throws -> [String: Double] {
            guard let text = try get("/metrics") else { throw TestFailure("no /metrics") }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Contracts/parse_metrics.py").path
            let input = NSTemporaryDirectory() + "metrics-" + UUID().uuidString
            try text.write(toFile: input, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: input) }
            let parsed = try Run.process("/bin/sh", ["-c", "python3 \"\(script)\" < \"\(input)\""])
            guard
                parsed.status
                    == 0
            else { throw TestFailure("prometheus_client could not parse /metrics: \(parsed.stderr)\n\(text)") }
            var samples: [String: Double] = [:]
            for sample in try JSON.parse(parsed.stdout).list ?? [] {
                let labels = (sample[1].flatMap { value -> [(String, String)]? in
                    guard case .map(let map) = value else { return nil }
                    return map.map { ($0.key, $0.value.string ?? "") }.sorted { $0.0 < $1.0 }
                } ?? []).map { "\($0.0)=\($0.1)" }.joined(separator: ",")
                samples["\(sample[0]?.string ?? ""){\(labels)}"] = sample[2]?.number ?? .nan
            }
            return samples
        }

        /// Sends `signal` and waits for the exit status.
        func stop(_ signal: Int32 = SIGTERM, within seconds: Double = 20) throws -> Int32 {
            kill(process.processIdentifier, signal)
            let started = Date()
            while process.isRunning {
                guard Date().timeIntervalSince(started) < seconds else {
                    throw TestFailure("watch did not stop on signal \(signal)")
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return process.terminationStatus
        }

        var stderr: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    @Test func aWatchServesMetricsPrometheusCanParseAndStopsOnSIGTERM() async throws {
        let drifted = "/ballast/" + uniqueName("watch"), steady = "/ballast/" + uniqueName("watch")
        try await seeder().create("AWS::Logs::LogGroup", id: drifted, ["RetentionInDays": 7])
        try await seeder().create("AWS::Logs::LogGroup", id: steady, ["RetentionInDays": 30])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(drifted), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(steady), properties: {RetentionInDays: 30}}
            """ + "\n")
        let watch = try Watch(["--interval", "1s"], repo: repo)
        let run = try watch.lastRun()
        #expect(run["outcome"] == "drift")
        try await Task.sleep(for: .milliseconds(1_500))  // a second pass: counters move
        let metrics = try watch.metrics()
        #expect(metrics["ballast_resources{environment=test,status=modified}"] == 1)
        #expect(metrics["ballast_resources{environment=test,status=in_sync}"] == 1)
        #expect(metrics["ballast_resources{environment=test,status=deleted}"] == 0)
        #expect(metrics["ballast_resources{environment=test,status=not_checked}"] == 0)
        #expect((metrics["ballast_runs_total{outcome=drift}"] ?? 0) >= 2, "\(metrics)")
        #expect(metrics["ballast_runs_total{outcome=error}"] == 0)
        #expect((metrics["ballast_api_requests_total{}"] ?? 0) >= 2)
        let last = metrics["ballast_last_run_timestamp_seconds{}"] ?? 0
        #expect(abs(last - Date().timeIntervalSince1970) < 30)
        #expect((metrics["ballast_last_run_duration_seconds{}"] ?? -1) >= 0)
        print("watch /metrics excerpt:\n" + (try watch.get("/metrics") ?? "").split(separator: "\n")
            .filter { $0.hasPrefix("ballast_") }.joined(separator: "\n"))

        #expect(try watch.stop(SIGTERM) == 0)
        let lines = watch.stderr.split(separator: "\n")
        #expect(lines.contains { $0.contains("run") && $0.contains("outcome=drift") && $0.contains("modified=1") },
            "\(watch.stderr)")
        #expect(lines.last?.contains("stopping") == true, "\(watch.stderr)")
        #expect(try await liveRetention(drifted) == 7, "without --self-heal nothing is written")
    }

    /// A signal during a pass lets the pass finish (its line is logged) before the process stops.
    @Test func aSignalDuringAPassWaitsForItsEnd() async throws {
        let group = "/ballast/" + uniqueName("slow")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n")
        // Every answer takes two seconds: a pass is under way for a while after its first request.
        let slow = try LoopbackHTTPServer { request in
            Thread.sleep(forTimeInterval: 2)
            return LoopbackHTTPServer.forward(request, toPort: MotoServer.shared.port).map { .raw($0) } ?? .drop
        }
        let watch = try Watch(["--interval", "1h"], repo: repo, environment: ["AWS_ENDPOINT_URL": slow.url])
        let started = Date()
        while slow.requestCount == 0 {
            guard Date().timeIntervalSince(started) < 30 else { throw TestFailure("no pass started: \(watch.stderr)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try watch.stop(SIGTERM) == 0)
        let lines = watch.stderr.split(separator: "\n")
        let run = lines.firstIndex { $0.contains("outcome=drift") }
        let stopping = lines.firstIndex { $0.contains("stopping") }
        #expect(run != nil && stopping != nil && run! < stopping!, "\(watch.stderr)")
    }

    @Test func selfHealAppliesThroughTheJournalAndSIGINTStopsIt() async throws {
        let group = "/ballast/" + uniqueName("heal")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n")
        let watch = try Watch(["--interval", "1s", "--self-heal"], repo: repo)
        _ = try watch.lastRun { $0["outcome"] == "healed" }
        #expect(try await liveRetention(group) == 30)
        _ = try watch.lastRun { $0["outcome"] == "in_sync" }
        #expect(try watch.stop(SIGINT) == 0)
        let history = try repo.ballast(["history"])
        #expect(history.stdout.contains("ballast watch --self-heal"), "\(history.stdout)")
    }

    /// A held scale-up survives self-heal: the pass reports it held (in sync for the loop, counted by
    /// `ballast_held_properties`) and writes nothing; released, the next pass heals it.
    @Test func selfHealNeverWritesAHeldProperty() async throws {
        let group = "/ballast/" + uniqueName("held")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n")
        let hold = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", group, "--for",
                                     "1h", "--reason", "INC-4411: keep it while we look"])
        #expect(hold.status == 0, "\(hold.stderr)")
        let id = try #require(hold.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let watch = try Watch(["--interval", "1s", "--self-heal"], repo: repo)
        _ = try watch.lastRun { $0["outcome"] == "in_sync" }
        _ = try watch.lastRun { $0["outcome"] == "in_sync" }
        #expect(try await liveRetention(group) == 7)
        #expect(try watch.metrics()["ballast_held_properties{environment=test}"] == 1)
        #expect(try repo.ballast(["hold", "--release", id]).status == 0)
        _ = try watch.lastRun { $0["outcome"] == "healed" }
        #expect(try await liveRetention(group) == 30)
        #expect(try watch.stop(SIGINT) == 0)
    }

    @Test func pullFastForwardsToWhatWasPushed() async throws {
        let group = "/ballast/" + uniqueName("pull")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let origin = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n")
        let remote = try origin.bareClone()
        let checkout = try TempRepository()
        try checkout.git(["remote", "add", "origin", remote.path])
        try checkout.git(["fetch", "-q", "origin"])
        try checkout.git(["checkout", "-q", "-B", "main", "--track", "origin/main"])
        let watch = try Watch(["--interval", "1s", "--pull"], repo: checkout)
        #expect(try watch.lastRun()["outcome"] == "drift")
        // Someone merges the live value into git: the next pass pulls it and is in sync.
        try origin.git(["remote", "add", "origin", remote.path])
        let merged = try origin.commit(["desired-state/test/resources.yaml":
            "resources:\n  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 7}}\n"],
                message: "keep 7 days")
        try origin.git(["push", "-q", "origin", "main"])
        let run = try watch.lastRun { $0["outcome"] == "in_sync" }
        #expect(run["revision"] == .string(merged))
        #expect(try checkout.git(["rev-parse", "HEAD"]) == merged)
        #expect(try checkout.git(["status", "--porcelain"]).isEmpty, "the working tree moved with the branch")
        #expect(try watch.stop() == 0)
        #expect(watch.stderr.contains("pulled="))
    }
}
