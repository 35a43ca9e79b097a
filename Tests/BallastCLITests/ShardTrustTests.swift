import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Shard reports travel as artifacts: `report merge` trusts none of what they say about
/// themselves. Statuses come from differences, every resource is in exactly the shard it
/// hashes to, and with BALLAST_PLAN_KEY set every report carries a matching MAC.
@Suite struct ShardTrustTests {
    /// 12 log groups, every third drifted, in shards of 3; (repo, reports by index).
    func shards(_ variables: [String: String] = [:]) async throws -> (TempRepository, [String]) {
        let prefix = "/ballast/" + uniqueName("trust") + "/"
        var lines: [String] = []
        for index in 0..<12 {
            try await seeder().create("AWS::Logs::LogGroup", id: prefix + "\(index)",
                                      ["RetentionInDays": index % 3 == 0 ? 7 : 30])
            lines.append("  - {type: AWS::Logs::LogGroup, id: \(prefix)\(index), properties: {RetentionInDays: 30}}")
        }
        let repo = try TempRepository.desiredState(lines.joined(separator: "\n") + "\n")
        var files: [String] = []
        for index in 1...3 {
            let file = repo.path + "/.git/shard-\(index).json"
            let run = try repo.ballast(["drift", "--shard", "\(index)/3", "--out-json", file], variables)
            #expect([0, 2].contains(run.status), "\(run.stderr)")
            files.append(file)
        }
        return (repo, files)
    }

    func read(_ file: String) throws -> [String: Value] {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        guard case .map(let fields) = try JSON.parse(text) else { return [:] }
        return fields
    }

    func write(_ fields: [String: Value], to file: String) throws {
        try (JSON.encode(.map(fields), pretty: true) + "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }

    func resources(_ fields: [String: Value]) -> [Value] { fields["environments"]?[0]?["resources"]?.list ?? [] }

    func with(_ fields: [String: Value], resources: [Value]) -> [String: Value] {
        guard case .map(var environment)? = fields["environments"]?[0] else { return fields }
        environment["resources"] = .list(resources)
        var edited = fields
        edited["environments"] = [.map(environment)]
        return edited
    }

    @Test func aShardEditedToInSyncWhileKeepingItsDifferencesStillCountsAsDrift() async throws {
        let (repo, files) = try await shards()
        defer { withExtendedLifetime(repo) {} }  // its folder holds the reports
        defer { withExtendedLifetime(repo) {} }
        let whole = try Run.ballast(["report", "merge", "--output", "json"] + files)
        #expect(whole.status == 2)
        let modified = try JSON.parse(whole.stdout)["summary"]?["modified"]
        // Every shard's drifted resources claim IN_SYNC; the differences stay.
        for file in files {
            let fields = try read(file)
            try write(with(fields, resources: resources(fields).map { resource in
                guard case .map(var entry) = resource else { return resource }
                if entry["status"] == "MODIFIED" { entry["status"] = "IN_SYNC" }
                return .map(entry)
            }), to: file)
        }
        let merged = try Run.ballast(["report", "merge", "--output", "json"] + files)
        #expect(merged.status == 2, "\(merged.stderr)")
        #expect(try JSON.parse(merged.stdout)["summary"]?["modified"] == modified)
        #expect(modified == 4)
    }

    @Test func aResourceCopiedIntoAnotherShardOrMovedOutOfItsOwnIsRefused() async throws {
        let (repo, files) = try await shards()
        defer { withExtendedLifetime(repo) {} }  // its folder holds the reports
        defer { withExtendedLifetime(repo) {} }
        let first = try read(files[0]), second = try read(files[1])
        let taken = try #require(resources(first).first)
        // Copied: in its own shard and another.
        try write(with(second, resources: resources(second) + [taken]), to: files[1])
        let copied = try Run.ballast(["report", "merge"] + files)
        #expect(copied.status == 1)
        #expect(copied.stderr.contains("is in two reports"), "\(copied.stderr)")
        // Moved: only in a shard it does not hash to.
        try write(with(first, resources: Array(resources(first).dropFirst())), to: files[0])
        let moved = try Run.ballast(["report", "merge"] + files)
        #expect(moved.status == 1)
        #expect(moved.stderr.contains("is in shard 2/3's report"), "\(moved.stderr)")
        #expect(moved.stderr.contains("but belongs to shard 1/3"))
    }

    @Test func withAKeyEveryShardNeedsItsMAC() async throws {
        let key = ["BALLAST_PLAN_KEY": String(repeating: "s", count: 40)]
        let (repo, files) = try await shards(key)
        defer { withExtendedLifetime(repo) {} }
        defer { withExtendedLifetime(repo) {} }
        let merged = try Run.ballast(["report", "merge"] + files, environment: key)
        #expect(merged.status == 2, "\(merged.stderr)")
        var fields = try read(files[2])
        #expect(fields["mac"]?.string?.hasPrefix("hmac-sha256:") == true)
        // An edit the MAC does not cover: a later time.
        fields["generatedAt"] = "2030-01-01T00:00:00Z"
        try write(fields, to: files[2])
        let edited = try Run.ballast(["report", "merge"] + files, environment: key)
        #expect(edited.status == 1)
        #expect(edited.stderr.contains("its MAC does not match BALLAST_PLAN_KEY"), "\(edited.stderr)")
        fields["mac"] = nil
        try write(fields, to: files[2])
        let unsigned = try Run.ballast(["report", "merge"] + files, environment: key)
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("has no MAC, but BALLAST_PLAN_KEY is set"), "\(unsigned.stderr)")
    }

    /// A report over 256 MiB is refused by its size before it is read (a sparse file: no disk used).
    @Test func aHugeReportIsRefusedByItsSize() throws {
        let file = NSTemporaryDirectory() + "ballast-huge-" + UUID().uuidString + ".json"
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let handle = try #require(FileHandle(forWritingAtPath: file))
        try handle.truncate(atOffset: 300 << 20)
        try handle.close()
        let merged = try Run.ballast(["report", "merge", file])
        #expect(merged.status == 1)
        #expect(merged.stderr.contains("is 314572800 bytes, over the 268435456-byte limit"), "\(merged.stderr)")
    }
}
