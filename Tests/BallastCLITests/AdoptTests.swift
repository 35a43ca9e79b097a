import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast adopt` (spec section 8): live values written at the line and column of their declaration,
/// every other byte of the file as it was; refused where an alias shares the value, where a range
/// would need --widen, and wholly (files restored) when the result breaks a deny policy.
@Suite struct AdoptTests {
    /// A repository whose only resource file is `text` (committed), with `extra` files beside it.
    static func repository(_ text: String, extra: [String: String] = [:]) throws -> TempRepository {
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment,
                             "desired-state/test/resources.yaml": text].merging(extra) { $1 }, message: "desired")
        return repo
    }

    static func file(_ repo: TempRepository) throws -> String {
        try String(contentsOfFile: repo.path + "/desired-state/test/resources.yaml", encoding: .utf8)
    }

    @Test func liveValuesAreWrittenWhereTheyAreDeclaredAndNothingElseChanges() async throws {
        let (workers, first, alarm, second) = (uniqueName("workers"), "/adopt/" + uniqueName("a"), uniqueName("alarm"),
                                              "/adopt/" + uniqueName("b"))
        try await seeder().create("AWS::AutoScaling::AutoScalingGroup", id: workers,
                                  ["MinSize": 1, "MaxSize": 20, "DesiredCapacity": 16])
        try await seeder().create("AWS::Logs::LogGroup", id: first, ["RetentionInDays": 7])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm,
                                  ["AlarmDescription": "80", "Threshold": 95])
        try await seeder().create("AWS::Logs::LogGroup", id: second, ["RetentionInDays": 60])
        func text(desired: String, bound: String, retention: String, description: String, threshold: String,
                  later: String) -> String {
            """
            # Operations settings: the comments, blank lines and key order stay.
            resources:
              # The workers are scaled by hand during incidents.
              - type: AWS::AutoScaling::AutoScalingGroup
                id: \(workers)
                properties:
                  DesiredCapacity: {within: [2, \(bound)]}   # the autoscaler moves it
                  MaxSize: 20

              - {type: AWS::Logs::LogGroup, id: "\(first)", properties: {RetentionInDays: \(retention)}}
              - type: AWS::CloudWatch::Alarm
                id: '\(alarm)'
                properties:
                  AlarmDescription: \(description)   # pages the on-call
                  Threshold: \(threshold)
            ---
            resources:
              - type: AWS::Logs::LogGroup
                id: \(second)
                properties:
                  RetentionInDays: \(later)

            """ + desired
        }
        let before = text(desired: "", bound: "10", retention: "30", description: "Pages on-call",
                          threshold: "80", later: "14")
        let repo = try Self.repository(before)

        // Without --widen the range is named and left; everything else is adopted.
        let narrow = try repo.ballast(["adopt"])
        #expect(narrow.status == 1, "\(narrow.stdout)\(narrow.stderr)")
        #expect(narrow.stderr.contains("DesiredCapacity: live 16 is outside within [2, 10] (--widen moves the "
            + "nearest bound to it)"), "\(narrow.stderr)")
        // A string that reads as a number is written so that it reads back as the string.
        let once = try Self.file(repo)
        #expect(once == text(desired: "", bound: "10", retention: "7", description: "\"80\"", threshold: "95",
                             later: "60"), "\(once)")
        let widened = try repo.ballast(["adopt", "--widen"])
        #expect(widened.status == 0, "\(widened.stdout)\(widened.stderr)")
        #expect(widened.stdout.contains("adopted  desired-state/test/resources.yaml:7:7  "
            + "AWS::AutoScaling::AutoScalingGroup \(workers) DesiredCapacity: {\"within\": [2, 10]} -> "
            + "{\"within\": [2, 16]}"), "\(widened.stdout)")
        let twice = try Self.file(repo)
        #expect(twice == text(desired: "", bound: "16", retention: "7", description: "\"80\"", threshold: "95",
                              later: "60"), "\(twice)")
        let drift = try repo.ballast(["drift", "--worktree"])
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
        #expect(try repo.ballast(["adopt"]).stdout.contains("Nothing to adopt"))
    }

    /// A value an anchor shares with another resource is not adopted (changing it would change both).
    @Test func aValueSharedThroughAnAliasIsNotAdopted() async throws {
        let (a, b) = ("/adopt/" + uniqueName("a"), "/adopt/" + uniqueName("b"))
        try await seeder().create("AWS::Logs::LogGroup", id: a, ["RetentionInDays": 7])
        try await seeder().create("AWS::Logs::LogGroup", id: b, ["RetentionInDays": 30])
        let text = """
            resources:
              - {type: AWS::Logs::LogGroup, id: "\(a)", properties: {RetentionInDays: &keep 30}}
              - {type: AWS::Logs::LogGroup, id: "\(b)", properties: {RetentionInDays: *keep}}

            """
        let repo = try Self.repository(text)
        let adopt = try repo.ballast(["adopt"])
        #expect(adopt.status == 1)
        #expect(adopt.stderr.contains("reaches it through a YAML anchor or alias shared with other places"),
                "\(adopt.stderr)")
        #expect(try Self.file(repo) == text)
    }

    /// The adopted result breaks a deny policy (retention under 14 days): every file is as it was, exit 3.
    /// A deny that failed before the adoption (another group, declared at 3 days) is not adopt's to judge.
    @Test func aDenyPolicyOnTheResultRestoresEveryFile() async throws {
        let (group, old) = ("/adopt/" + uniqueName("deny"), "/adopt/" + uniqueName("old"))
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::Logs::LogGroup", id: old, ["RetentionInDays": 3])
        let text = "resources:\n  - {type: AWS::Logs::LogGroup, id: \"\(group)\", properties: {RetentionInDays: 30}}\n"
            + "  - {type: AWS::Logs::LogGroup, id: \"\(old)\", properties: {RetentionInDays: 3}}\n"
        let policy = """
            policies:
              - id: two-weeks-of-logs
                severity: deny
                match: {type: AWS::Logs::LogGroup}
                assert: "!has(properties.RetentionInDays) || properties.RetentionInDays >= 14"

            """
        let repo = try Self.repository(text, extra: ["policies/logs.yaml": policy])
        let adopt = try repo.ballast(["adopt"])
        #expect(adopt.status == 3, "\(adopt.stdout)\(adopt.stderr)")
        #expect(adopt.stdout.contains("two-weeks-of-logs") && adopt.stdout.contains(group)
            && !adopt.stdout.contains(old), "\(adopt.stdout)")
        #expect(try Self.file(repo) == text)
        try await setRetention(group, 60)
        let allowed = try repo.ballast(["adopt"])
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        #expect(
            try Self.file(repo) == text.replacingOccurrences(of: "RetentionInDays: 30", with: "RetentionInDays: 60"))
    }

    /// --commit makes one commit: each property with its old and new value, who made the live change as a
    /// trailer (from CloudTrail, through the stand-in), and a held property's hold ends.
    @Test func aCommitListsEachValueAndWhoChangedIt() async throws {
        let group = "/adopt/" + uniqueName("commit")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try Self.repository("resources:\n  - type: AWS::Logs::LogGroup\n    id: \"\(group)\"\n"
            + "    properties:\n      RetentionInDays: 30\n")
        let alice: Value = ["type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice"]
        MotoServer.shared.standIns.cloudTrail.record(
            name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group, at: Date(), identity: alice,
            userAgent: "aws-cli/2.15.30", parameters: ["logGroupName": .string(group), "retentionInDays": 7])
        let hold = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", group,
                                     "--for", "1h", "--reason", "INC-9: a week is enough"])
        #expect(hold.status == 0, "\(hold.stderr)")
        let adopt = try repo.ballast(["adopt", "--commit", "--message", "Keep a week of logs after INC-9"])
        #expect(adopt.status == 0, "\(adopt.stdout)\(adopt.stderr)")
        #expect(adopt.stdout.contains("ended hold h-"), "\(adopt.stdout)")
        let message = try repo.git(["log", "-1", "--format=%B"])
        #expect(
            message.hasPrefix(
                "Keep a week of logs after INC-9\n\n- AWS::Logs::LogGroup \(group) (test) "
                    + "RetentionInDays: 30 -> 7\n\nLive-Changed-By: "), "\(message)")
        #expect(
            message.contains("Live-Changed-By: arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice via cli at "),
            "\(message)")
        #expect(try repo.git(["status", "--porcelain"]).isEmpty)
        let drift = try repo.ballast(["drift"])
        #expect(drift.status == 0, "\(drift.stdout)")
        let holds = try JSON.parse(try repo.ballast(["hold", "--list", "--output", "json"]).stdout)["holds"]?.list
        #expect(holds?.first?["active"] == false && holds?.first?["releasedBy"] == "ballast adopt", "\(holds ?? [])")
    }
}
