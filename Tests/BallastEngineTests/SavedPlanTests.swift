import BallastAWS
import BallastCore
import BallastEngine
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// A saved plan travels between CI jobs; whoever can touch it must not be able to
/// make apply write what the desired state at its revision does not ask for.
/// Each forgery edits the file and recomputes its checksum, as an attacker can.
@Suite struct SavedPlanTests {
    let group = "/ballast/" + uniqueName("saved")
    let alarm = uniqueName("saved-alarm")

    /// A log group at 7 days desired at 30, and an alarm whose threshold drifted (1, desired 5).
    func harness() async throws -> ApplyHarness {
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, ["Threshold": 1, "ActionsEnabled": true])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {Threshold: 5, ActionsEnabled: true}}
            """)
        return ApplyHarness(repo: repo)
    }

    func liveAlarm() async throws -> XMLTree? {
        try await seeder().client.query(.cloudWatch, "DescribeAlarms", ["AlarmNames.member.1": alarm])
            .child("MetricAlarms")?.children.first
    }

    func expectNothingWritten() async throws {
        #expect(try await liveRetention(group) == 7)
        let live = try await liveAlarm()
        #expect(live?.child("Threshold")?.text == "1.0")
        #expect(live?.child("ActionsEnabled")?.text == "true")
        #expect(live?.child("AlarmActions")?.children.isEmpty ?? true)
    }

    var logChange: String { "change 2 (logs:PutRetentionPolicy \(group) in test, us-east-1)" }
    var alarmChange: String { "change 1 (cloudwatch:PutMetricAlarm \(alarm) in test, us-east-1)" }

    @Test func anUneditedPlanIsApplied() async throws {
        let harness = try await harness()
        let result = try await harness.apply(try await harness.savePlan())
        #expect(result.entry?.outcome == .applied)
        #expect(try await liveRetention(group) == 30)
        #expect(try await liveAlarm()?.child("Threshold")?.text == "5.0")
    }

    @Test func anEditedToValueIsRefused() async throws {
        let harness = try await harness()
        let path = try await harness.savePlan()
        try Forger.editChange(path, 1) { Forger.setPath(&$0, "/RetentionInDays", from: 7, to: 3653) }
        let result = try await harness.apply(path)
        #expect(result.forged == ["\(logChange): sets /RetentionInDays to 3653, but the desired state asks for 30"])
        try await expectNothingWritten()
    }

    @Test func anEnvironmentRenamedOutOfTheStateIsRefused() async throws {
        let harness = try await harness()
        let path = try await harness.savePlan()
        for index in 0..<2 { try Forger.editChange(path, index) { $0["environment"] = "dev" } }
        let revision = String(try harness.repo.git(["rev-parse", "HEAD"]).prefix(12))
        let result = try await harness.apply(path)
        #expect(
            result.forged == [
                "change 1 (cloudwatch:PutMetricAlarm \(alarm) in dev, us-east-1): no AWS::CloudWatch::Alarm "
                    + "\(alarm) is declared "
                    + "in dev with region us-east-1 at \(revision)",
                "change 2 (logs:PutRetentionPolicy \(group) in dev, us-east-1): no AWS::Logs::LogGroup \(group) "
                    + "is declared "
                    + "in dev with region us-east-1 at \(revision)",
            ])
        try await expectNothingWritten()
    }

    @Test func extraPathsOnADeclaredResourceAreRefused() async throws {
        let harness = try await harness()
        let path = try await harness.savePlan()
        try Forger.editChange(path, 0) { change in
            Forger.setPath(&change, "/AlarmActions", from: [], to: ["arn:aws:sns:us-east-1:123456789012:attacker"])
            Forger.setPath(&change, "/ActionsEnabled", from: true, to: false)
        }
        let result = try await harness.apply(path)
        #expect(result.forged == [
            "\(alarmChange): sets /ActionsEnabled, which the desired state does not change",
            "\(alarmChange): sets /AlarmActions, which the desired state does not change",
        ])
        try await expectNothingWritten()
    }

    @Test func anotherRegionIsRefused() async throws {
        let harness = try await harness()
        let path = try await harness.savePlan()
        try Forger.editChange(path, 1) { $0["region"] = "eu-west-1" }
        let result = try await harness.apply(path)
        #expect(result.forged?.count == 1)
        #expect(
            result.forged?.first?.contains("no AWS::Logs::LogGroup \(group) is declared in test with region eu-west-1")
                == true)
        try await expectNothingWritten()
    }

    @Test func theAccountIsRequiredAndMustBeTheCredentials() async throws {
        let harness = try await harness()
        let path = try await harness.savePlan()
        try Forger.edit(path) { $0["account"] = nil }
        #expect(
            try await harness.apply(path).wrongAccount
                == "the plan file records no account; make it again with `ballast plan --out`")
        try Forger.edit(path) { $0["account"] = "999999999999" }
        #expect(try await harness.apply(path).wrongAccount
            == "the credentials are for account 123456789012; the plan was made in account 999999999999")
        try await expectNothingWritten()
    }

    @Test func aMovedFromAloneIsStaleAndAnEditedFromIsHarmless() async throws {
        let harness = try await harness()
        let path = try await harness.savePlan()
        _ = try await seeder().client.json(
            .logs, "PutRetentionPolicy", ["logGroupName": .string(group), "retentionInDays": 14])
        #expect(
            try await harness.apply(path).stale == [
                "AWS::Logs::LogGroup \(group) /RetentionInDays: planned from 7, now 14"
            ])
        #expect(try await liveRetention(group) == 14)
        // A `from` edited to today's value makes the plan true again: it still writes only what the state asks.
        try Forger.editChange(path, 1) { Forger.setPath(&$0, "/RetentionInDays", from: 14, to: 30) }
        #expect(try await harness.apply(path).entry?.outcome == .applied)
        #expect(try await liveRetention(group) == 30)
    }

    @Test func withAKeyOnlyAPlanMadeUnderItIsRead() async throws {
        let harness = try await harness()
        let key = Array("0123456789abcdef0123456789abcdef".utf8)
        let path = try await harness.savePlan(key: key)
        let kinds = Kinds.builtIn
        #expect(try PlanFile.read(path, key: key, kinds: kinds).plan.authenticated)
        #expect(try PlanFile.read(path, key: nil, kinds: kinds).notes
            == ["\(path) carries a MAC, but BALLAST_PLAN_KEY is not set here, so it was not checked"])
        try Forger.edit(path) { $0["revision"] = "HEAD~1" }
        #expect(throws: PlanFileError.self) { try PlanFile.read(path, key: key, kinds: .builtIn) }
        let unsigned = try await harness.savePlan()
        do {
            _ = try PlanFile.read(unsigned, key: key, kinds: .builtIn)
            Issue.record("a plan without a MAC was read while a key is set")
        } catch {
            #expect(
                error.description.hasSuffix(
                    "the plan has no MAC, but BALLAST_PLAN_KEY is set: make it with `ballast plan --out` under "
                        + "the same key"
                ))
        }
        #expect(throws: PlanFileError.self) { try PlanFile.key(from: ["BALLAST_PLAN_KEY": "short"]) }
    }
}
