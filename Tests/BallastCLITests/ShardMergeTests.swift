import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `--shard I/N` and `ballast report merge`: the shards' reports joined are the one run's.
@Suite struct ShardMergeTests {
    /// 30 log groups (every fifth drifted, one missing) and 10 alarms, and a deny policy one of them fails.
    func repository() async throws -> TempRepository {
        let prefix = "/ballast/" + uniqueName("shard") + "/"
        var lines: [String] = []
        for index in 0..<30 {
            if index != 29 {
                try await seeder().create(
                    "AWS::Logs::LogGroup", id: prefix + "\(index)",
                    ["RetentionInDays": index % 5 == 0 ? 7 : 30])
            }
            lines.append(
                "  - {type: AWS::Logs::LogGroup, id: \(prefix)\(index), properties: {RetentionInDays: "
                    + "\(index == 3 ? 3 : 30)}}"
            )
        }
        let alarm = uniqueName("shard-alarm")
        for index in 0..<10 {
            try await seeder().create("AWS::CloudWatch::Alarm", id: "\(alarm)-\(index)",
                ["AlarmDescription": "on-call"])
            lines.append(
                "  - {type: AWS::CloudWatch::Alarm, id: \(alarm)-\(index), properties: {AlarmDescription: "
                    + "\(index < 2 ? "paged" : "on-call")}}"
            )
        }
        let repo = try TempRepository.desiredState(lines.joined(separator: "\n") + "\n")
        try repo.commit(["policies/logs.yaml": """
            policies:
              - id: log-retention-minimum
                severity: deny
                match: {type: AWS::Logs::LogGroup}
                assert: properties.RetentionInDays >= 7
            """], message: "policy")
        return repo
    }

    /// `ballast report merge ARGS` (it reads files only: no repository, no AWS).
    func merge(_ arguments: [String]) throws -> Run.Result {
        try Run.ballast(["report", "merge"] + arguments)
    }

    @Test(arguments: [1, 3, 8])
    func shardsMergedAreTheOneRun(count: Int) async throws {
        let repo = try await repository()
        for command in ["drift", "plan"] {
            let whole = try repo.ballast([command, "--output", "json"])
            var files: [String] = []
            for index in 1...count {
                let file = repo.path + "/.git/\(command)-\(index).json"
                let shard = try repo.ballast([command, "--shard", "\(index)/\(count)", "--out-json", file, "--output",
                    "json"])
                #expect([1, 2, 3].contains(shard.status) || shard.status == 0, "\(shard.stderr)")
                files.append(file)
            }
            let merged = try merge(files.reversed() + ["--output", "json"])
            #expect(merged.status == whole.status, "\(command) /\(count): \(merged.stderr)")
            #expect(try comparableReport(merged.stdout) == comparableReport(whole.stdout), "\(command) /\(count)")
            let text = try merge(files + ["--output", "markdown"])
            #expect(text.stdout.hasPrefix("<!-- ballast:test -->\n**test**: "))
        }
    }

    /// A change whose call no kind makes (an edited shard report) is kept by the merge as written,
    /// never dropped: the merged plan shows what the shard said.
    @Test func aChangeNoKindMakesIsKeptByTheMerge() async throws {
        let group = "/ballast/" + uniqueName("merge-call")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let file = repo.path + "/.git/plan-1.json"
        _ = try repo.ballast(["plan", "--shard", "1/1", "--out-json", file, "--output", "json"])
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("logs:PutRetentionPolicy"))
        try text.replacingOccurrences(of: "logs:PutRetentionPolicy", with: "logs:DeleteLogGroup")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let merged = try JSON.parse(try merge([file, "--output", "json"]).stdout)
        #expect(merged["changes"]?.list?.compactMap { $0["call"]?.string } == ["logs:DeleteLogGroup"])
    }

    @Test func aMissingShardADifferentRevisionOrAStrayReportIsRefused() async throws {
        let repo = try await repository()
        func shard(_ index: Int, of count: Int, _ command: String = "drift") throws -> String {
            let file = repo.path + "/.git/\(command)-\(index)-\(count)-\(UUID().uuidString).json"
            _ = try repo.ballast([command, "--shard", "\(index)/\(count)", "--out-json", file])
            return file
        }
        let one = try shard(1, of: 3), two = try shard(2, of: 3), three = try shard(3, of: 3)
        let whole = repo.path + "/.git/whole.json"
        _ = try repo.ballast(["drift", "--out-json", whole])
        let missing = try merge([one, three])
        #expect(missing.status == 1 && missing.stderr.contains("missing shard 2/3"), "\(missing.stderr)")
        let twice = try merge([one, two, two, three])
        #expect(twice.status == 1 && twice.stderr.contains("shard 2/3 given more than once"))
        let planShard = try shard(2, of: 3, "plan")
        #expect(try merge([one, planShard, three]).stderr.contains("different commands (drift and plan)"))
        try repo.commit(["desired-state/test/extra.yaml": "resources: []\n"], message: "later")
        let later = try shard(2, of: 3)
        #expect(try merge([one, later, three]).stderr.contains("the reports are of different revisions"))
        #expect(try merge([whole, one]).stderr.contains("1 of these are not shards"))
        #expect(try merge([whole]).status == 2, "a single report merges as itself")
    }

    @Test func theIndexComesFromAnIndexedJob() async throws {
        let repo = try await repository()
        let file = repo.path + "/.git/indexed.json"
        let run = try repo.ballast(["drift", "--shards", "4", "--out-json", file], ["JOB_COMPLETION_INDEX": "2"])
        #expect([0, 1, 2].contains(run.status), "\(run.stderr)")
        let report = try JSON.parse(try String(contentsOfFile: file, encoding: .utf8))
        #expect(report["shard"] == ["index": 3, "count": 4])
        let batch = try repo.ballast(["drift", "--shards", "4"], ["AWS_BATCH_JOB_ARRAY_INDEX": "7"])
        #expect(batch.status == 1 && batch.stderr.contains("needs the shard index"), "\(batch.stderr)")
        let bad = try repo.ballast(["drift", "--shard", "5/4"])
        #expect(bad.status == 1 && bad.stderr.contains("--shard takes I/N with 1 <= I <= N"))
    }
}
