import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `kill -9` in the middle of an apply (a cancelled CI job): the journal still
/// says what it meant and what it did, and the next apply says so.
@Suite struct InterruptedApplyTests {
    @Test func aKilledApplyIsJournaledWithWhatItDidAndTheNextApplyClosesIt() async throws {
        let folder = "/ballast/" + uniqueName("killed")
        let groups = (0..<20).map { String(format: "\(folder)/%02d", $0) }
        for group in groups { try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7]) }
        let repo = try TempRepository.desiredState(groups.map {
            "  - {type: AWS::Logs::LogGroup, id: \($0), properties: {RetentionInDays: 30}}\n"
        }.joined())

        let (written, landed) = try await killApply(repo, groups, afterWrites: 6)
        #expect(written.count == landed)
        #expect(written.count >= 6 && written.count < groups.count)

        // The intent was journaled before the first write, and each finished write after it.
        let before = try history(repo)
        #expect(before.map { $0["outcome"]?.string ?? "" } == ["started"])
        let progress = try FileManager.default.contentsOfDirectory(atPath: repo.path + "/.git/ballast-applies")
        #expect(progress.count == 1)

        // The next apply takes the dead apply's lock, says it was interrupted, and finishes the work.
        let next = try repo.ballast(["apply", "--auto-approve"])
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(next.stderr.contains("was interrupted: "))
        #expect(
            next.stdout.contains(
                "Apply: \(groups.count - written.count) of \(groups.count - written.count) changes applied"))
        #expect(try await groupsAt30(groups).count == groups.count)

        let after = try history(repo)
        #expect(after.map { $0["outcome"]?.string ?? "" } == ["applied", "interrupted"])
        let interrupted = try #require(after.last?["changes"]?.list)
        let outcomes = interrupted.map { $0["outcome"]?.string ?? "" }
        let recorded = Set(
            interrupted.indices.filter { outcomes[$0] == "applied" }.map { interrupted[$0]["id"]?.string ?? "" })
        // Every write it recorded had landed; the writes in flight (journaled as started) are unknown,
        // and no write that landed is called "not attempted".
        let ids = interrupted.map { $0["id"]?.string ?? "" }
        let unknown = Set(interrupted.indices.filter { outcomes[$0] == "unknown" }.map { ids[$0] })
        #expect(recorded.isSubset(of: Set(written)))
        #expect(Set(written).isSubset(of: recorded.union(unknown)), "\(written) \(outcomes)")
        #expect(
            !unknown.isEmpty && unknown.count <= RequestRates.defaults.rate(forKey: "logs:PutRetentionPolicy").inFlight
        )
        #expect(outcomes.filter { $0 == "not attempted" }.count == groups.count - recorded.count - unknown.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: repo.path + "/.git/ballast-applies").isEmpty)
        #expect(
            next.stderr.contains(
                "\(recorded.count) of \(groups.count) writes made, 0 failed, \(unknown.count) unknown"))
    }

    /// A CI runner killed mid-apply takes its `.git` with it: the lock table's copy is what tells the next runner.
    @Test func onALockTableTheNextRunnerLearnsOfTheKilledApplyFromTheTable() async throws {
        let folder = "/ballast/" + uniqueName("runner")
        let groups = (0..<12).map { String(format: "\(folder)/%02d", $0) }
        for group in groups { try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7]) }
        let table = try await createLockTable()
        let resources = groups.map {
            "  - {type: AWS::Logs::LogGroup, id: \($0), properties: {RetentionInDays: 30}}\n"
        }.joined()
        let repo = try TempRepository.desiredState(resources, environment: "region: us-east-1\nlockTable: \(table)\n")
        let (written, _) = try await killApply(repo, groups, afterWrites: 4)

        // A new runner: a fresh clone, and the killed apply's lock still in the table.
        let runner = try TempRepository()
        try runner.git(["pull", "-q", repo.path, "main"])
        let held = try runner.ballast(["apply", "--auto-approve"])
        #expect(held.status == 1)
        #expect(held.stderr.contains("environment test is locked by"))
        #expect(try runner.ballast(["unlock", "test", "--force"]).status == 0)
        let next = try runner.ballast(["apply", "--auto-approve"])
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(next.stderr.contains("was interrupted: "))
        #expect(try await groupsAt30(groups).count == groups.count)

        let journal =
            try JSON.parse(try runner.ballast(["history", "--from-lock-table", "--output", "json"]).stdout)["entries"]?
            .list ?? []
        #expect(journal.map { $0["outcome"]?.string ?? "" } == ["applied", "interrupted"])
        let changes = journal.last?["changes"]?.list ?? []
        let recorded = Set(changes.filter { $0["outcome"] == "applied" }.compactMap { $0["id"]?.string })
        let unknown = Set(changes.filter { $0["outcome"] == "unknown" }.compactMap { $0["id"]?.string })
        #expect(recorded.isSubset(of: Set(written)))
        #expect(Set(written).isSubset(of: recorded.union(unknown)), "\(written) \(changes)")
    }

    /// Starts `ballast apply` with each write slowed to 0.15 s, kills it with SIGKILL once
    /// `afterWrites` writes reached moto, and returns the groups now at 30 days and
    /// how many writes the proxy saw land.
    func killApply(_ repo: TempRepository, _ groups: [String], afterWrites: Int) async throws -> ([String], Int) {
        let port = MotoServer.shared.port
        let landed = Locked(0)
        let slow = try LoopbackHTTPServer { request in
            let isWrite =
                request.headers.first { $0.key.lowercased() == "x-amz-target" }?.value
                == "Logs_20140328.PutRetentionPolicy"
            if isWrite { Thread.sleep(forTimeInterval: 0.15) }
            let answer = LoopbackHTTPServer.forward(request, toPort: port)
            if isWrite, answer != nil { landed.update { $0 += 1 } }
            return answer.map { .raw($0) } ?? .drop
        }
        let apply = try start(["apply", "--auto-approve", "--repo", repo.path], endpoint: slow.url)
        let started = Date()
        while landed.current < afterWrites, Date().timeIntervalSince(started) < 60 {
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(apply.processIdentifier, SIGKILL)
        apply.waitUntilExit()
        try await Task.sleep(for: .milliseconds(300))  // a write the proxy was still sleeping on lands now
        return (try await groupsAt30(groups), landed.current)
    }

    func history(_ repo: TempRepository) throws -> [Value] {
        try JSON.parse(try repo.ballast(["history", "--output", "json"]).stdout)["entries"]?.list ?? []
    }

    func groupsAt30(_ groups: [String]) async throws -> [String] {
        var found: [String] = []
        for group in groups where try await liveRetention(group) == 30 { found.append(group) }
        return found
    }

    /// The ballast binary started, not waited for.
    func start(_ arguments: [String], endpoint: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Run.ballastBinary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.merging(MotoServer.shared.environment) { _, new in new }
        environment["AWS_ENDPOINT_URL"] = endpoint
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }
}
