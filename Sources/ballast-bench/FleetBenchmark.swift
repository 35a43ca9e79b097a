import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import BallastTestSupport
import Foundation

/// `fleet ACCOUNTS RESOURCES SHARDS [LATENCY_MS]`: drift of ACCOUNTS accounts holding RESOURCES resources
/// each (the kinds' mix, every tenth drifted), as SHARDS processes (`fleet-shard`, one per shard, as a CI
/// matrix's jobs are, all at once unless FLEET_PARALLEL says fewer), against `FleetAWS`: AWS's documented
/// quotas per account, one bucket per account and quota that every shard draws on, every answer held
/// LATENCY_MS (40 by default). The shards' reports are merged by `ballast report merge`
/// and checked against the drift seeded; up to 20,000 resources in all, against one unsharded run too.
/// Printed: each shard's wall time, CPU time and peak memory; calls per account against the floor its
/// quotas allow; throttled requests (the goal is none).
enum FleetBenchmark {
    static func run(_ arguments: [Int]) async throws {
        let accountCount = arguments.count > 0 ? arguments[0] : 100
        let perAccount = arguments.count > 1 ? arguments[1] : 10_000
        let shardCount = arguments.count > 2 ? arguments[2] : 10
        let latency = Double(arguments.count > 3 ? arguments[3] : 40) / 1_000
        let parallel = Int(ProcessInfo.processInfo.environment["FLEET_PARALLEL"] ?? "")
            ?? shardCount
        let (moto, _, seeder) = try DriftBenchmark.emulator()
        let fixture = ScaleFixture.items(perAccount) { $0 % 10 == 9 }
        say("seeding \(fixture.count) resources of \(ScaleFixture.kinds.count) kinds in moto (one account's) ...")
        var started = Date()
        let items = try await ScaleFixture.seed(fixture, with: seeder)
        say(String(format: "  seeded in %.0f s", Date().timeIntervalSince(started)))
        let accounts = (0..<accountCount).map { String(200_000_000_000 + $0) }
        let repo = try FleetAWS.repository(items, accounts: accounts)
        let drifted = items.filter(\.drifted).count

        // Warm-up: one account's answers, asked of moto once, kept for every shard.
        let recording = FleetAWS.Recording()
        let warm = FleetAWS(recording: recording, emulator: moto.endpoint,
                            quotas: try FleetQuotas(path: repo.path + "/warm-up-quotas"))
        started = Date()
        _ = try await warm.drift(repo: repo.path, environments: ["acct-\(accounts[0])"], shard: nil)
        let recordingPath = repo.path + "/fleet-recording.json"
        try JSON.encode(recording.json).write(toFile: recordingPath, atomically: true, encoding: .utf8)
        say(String(format: "  recorded %d answers of one account in %.0f s", recording.count,
                   Date().timeIntervalSince(started)))

        let total = accountCount * items.count
        say("drift of \(accountCount) accounts x \(items.count) resources (\(total), \(drifted * accountCount) "
            + "drifted), \(shardCount) shard processes (\(parallel) at a time on this machine's "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores), answers held \(Int(latency * 1_000)) ms")
        let results = try await shards(repo: repo.path, recording: recordingPath, emulator: moto.endpoint,
                                       count: shardCount, latency: latency, parallel: parallel)
        let binary = Run.ballastBinary.replacingOccurrences(of: "/debug/", with: "/release/")
        let merged = try Run.process(binary, ["report", "merge"] + results.map(\.report) + ["--output", "json"])
        let summary = try JSON.parse(merged.stdout)["summary"]
        guard summary?["modified"] == .int(drifted * accountCount),
              summary?["inSync"] == .int((items.count - drifted) * accountCount),
              summary?["notChecked"] == .int(0) else {
            let report = try? JSON.parse(merged.stdout)
            let found = Set((report?["environments"]?.list ?? []).flatMap { $0["resources"]?.list ?? [] }
                .filter { $0["status"] == "MODIFIED" }.compactMap { $0["id"]?.string })
            let missed = items.filter { $0.drifted != found.contains($0.id) }.map { "\($0.type) \($0.id)" }
            throw TestFailure("the merged report is not the seeded drift: "
                + (summary.map { JSON.encode($0) } ?? String(merged.stderr.prefix(600)))
                + "; drifted and not found, or found and not drifted: " + missed.joined(separator: ", "))
        }
        say("  merged (ballast report merge): every one of the \(drifted * accountCount) drifted found, "
            + "none NOT_CHECKED")
        if total <= 20_000 {
            let one = try await shards(repo: repo.path, recording: recordingPath, emulator: moto.endpoint,
                                       count: 1, latency: latency, parallel: 1)
            let whole = try Run.process(binary, ["report", "merge", one[0].report, "--output", "json"])
            guard try comparableReport(merged.stdout) == comparableReport(whole.stdout) else {
                throw TestFailure("the merged report differs from one unsharded run's")
            }
            say(String(format: "  equal to one unsharded run's report (wall %.1f s)", one[0].wall))
        }
        print(table(results, accounts: accountCount))
    }

    /// One shard's figures, as its process printed them.
    struct ShardResult {
        var index: Int
        var wall: Double
        var cpu: Double
        var peakMiB: Double
        var calls: [String: Int]
        var throttled: Int
        var askedTheEmulator: Int
        var operations: [String: [String: Int]]
        var report: String
        /// What the shard said of its load.
        var loading = ""
        var throttledOperations: [String: Int] = [:]
    }

    static func shards(repo: String, recording: String, emulator: String, count: Int, latency: Double,
                       parallel: Int) async throws -> [ShardResult] {
        let me = CommandLine.arguments[0]
        return try await withThrowingTaskGroup(of: ShardResult.self) { group in
            var next = 1
            func start(_ index: Int) {
                group.addTask {
                    let out = repo + "/shard-\(index)-of-\(count).json"
                    let quotas = repo + "/quotas-\(count)"
                    let result = try await onItsOwnThread {
                        try Run.process(me, ["fleet-shard", "\(index)", "\(count)", repo, recording, emulator,
                                             "\(latency)", out, quotas])
                    }
                    guard result.status == 0, let line = result.stdout.split(separator: "\n").last,
                          let figures = try? JSON.parse(String(line)) else {
                        throw TestFailure("shard \(index)/\(count) exit \(result.status): "
                            + result.stderr.suffix(600))
                    }
                    func counts(_ value: Value?) -> [String: Int] {
                        (value?.map ?? [:]).compactMapValues { $0.number.map { Int($0) } }
                    }
                    return ShardResult(index: index, wall: figures["wall"]?.number ?? 0,
                                       cpu: figures["cpu"]?.number ?? 0, peakMiB: figures["peakMiB"]?.number ?? 0,
                                       calls: counts(figures["calls"]),
                                       throttled: Int(figures["throttled"]?.number ?? 0),
                                       askedTheEmulator: Int(figures["askedTheEmulator"]?.number ?? 0),
                                       operations: (figures["operations"]?.map ?? [:]).mapValues(counts),
                                       report: out,
                                       loading: result.stderr.split(separator: "\n")
                                           .first { $0.hasPrefix("fleet-shard: ") }
                                           .map { String($0.dropFirst(13)) } ?? "",
                                       throttledOperations: counts(figures["throttledOperations"]))
                }
            }
            while next <= min(parallel, count) { start(next); next += 1 }
            var results: [ShardResult] = []
            while let result = try await group.next() {
                results.append(result)
                say(String(format: "  shard %d/%d: wall %.1f s, CPU %.1f s, peak %.0f MiB, %d calls, %d throttled",
                           result.index, count, result.wall, result.cpu, result.peakMiB,
                           result.calls.values.reduce(0, +), result.throttled) + " (\(result.loading))"
                    + (result.throttledOperations.isEmpty ? "" : "; throttled: \(result.throttledOperations)"))
                if next <= count { start(next); next += 1 }
            }
            return results.sorted { $0.index < $1.index }
        }
    }

    /// `body` (a wait for a process) on a thread of its own: the concurrency pool has a thread per core, and a
    /// wait there holds one, so no more shards than cores would run at once.
    static func onItsOwnThread(_ body: @escaping @Sendable () throws -> Run.Result) async throws -> Run.Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// `fleet-shard I N REPO RECORDING EMULATOR LATENCY OUT QUOTAS`: one shard's drift in this process, the
    /// fleet's buckets in the file QUOTAS; its report to OUT, its figures as one JSON line.
    static func shardProcess(_ arguments: [String]) async throws {
        guard arguments.count == 8, let index = Int(arguments[0]), let count = Int(arguments[1]),
              let selected = Shard(index: index, count: count), let latency = Double(arguments[5]) else {
            throw TestFailure("fleet-shard I N REPO RECORDING EMULATOR LATENCY OUT QUOTAS")
        }
        let started = Date()
        var phases: [String] = []
        func phase(_ name: String) { phases.append("\(name) \(residentMiB()) MiB") }
        let recording = FleetAWS.Recording(
            json: try JSON.parse(try String(contentsOfFile: arguments[3], encoding: .utf8)))
        phase("answers")
        let aws = FleetAWS(recording: recording, emulator: arguments[4],
                           quotas: try FleetQuotas(path: arguments[7]), latency: latency)
        let (report, kept, declared) = try await aws.drift(repo: arguments[2], environments: [], shard: selected,
                                                           phase: phase)
        try JSON.encode(report).write(toFile: arguments[6], atomically: true, encoding: .utf8)
        phase("written")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        FileHandle.standardError.write(Data(("fleet-shard: \(kept) of \(declared) resources kept; resident after "
            + phases.joined(separator: ", ") + "\n").utf8))
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        let counts = aws.counts
        let figures: Value = [
            "wall": .double(Date().timeIntervalSince(started)), "cpu": .double(cpu),
            "peakMiB": .double(Double(usage.ru_maxrss) / 1_024),
            "calls": .map(counts.calls.mapValues { .int($0) }),
            "throttled": .int(counts.throttled.values.reduce(0, +)), "askedTheEmulator": .int(counts.askedTheEmulator),
            "operations": .map(counts.operations.mapValues { .map($0.mapValues { .int($0) }) }),
            "throttledOperations": .map(counts.throttledOperations.mapValues { .int($0) }),
        ]
        print(JSON.encode(figures))
    }

    static func table(_ results: [ShardResult], accounts: Int) -> String {
        var perAccount: [String: [String: Int]] = [:]
        for result in results {
            for (account, operations) in result.operations where account != FleetAWS.chainAccount {
                for (operation, calls) in operations {
                    perAccount[account, default: [:]][operation, default: 0] += calls
                }
            }
        }
        let calls = perAccount.values.map { $0.values.reduce(0, +) }.sorted()
        let floors = perAccount.values.map { AWSQuotas.floorSeconds($0) }.sorted()
        let busiest = perAccount.values.first.flatMap { AWSQuotas.bucketSeconds($0).first }
        var lines = ["", "| shard | wall | CPU | peak memory | calls | throttled | asked of moto |",
                     "| --- | --- | --- | --- | --- | --- | --- |"]
        for result in results {
            lines.append(String(format: "| %d | %.1f s | %.1f s | %.0f MiB | %d | %d | %d |", result.index,
                                result.wall, result.cpu, result.peakMiB, result.calls.values.reduce(0, +),
                                result.throttled, result.askedTheEmulator))
        }
        lines.append("")
        lines.append("calls per account: \(calls.first ?? 0) to \(calls.last ?? 0) (\(accounts) accounts); "
            + String(format: "the quotas' floor per account %.1f s", floors.last ?? 0)
            + (busiest.map { " (\($0.bucket): \($0.calls) calls)" } ?? "")
            + String(format: "; slowest shard %.1f s", results.map(\.wall).max() ?? 0))
        return lines.joined(separator: "\n")
    }
}

/// This process's resident memory now, in MiB (`/proc/self/statm`'s second field, in pages).
func residentMiB() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}
