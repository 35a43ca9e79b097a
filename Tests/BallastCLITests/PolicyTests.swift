import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Policies end to end: plan and apply against moto, validate without AWS.
@Suite struct PolicyTests {
    /// One log group live at 30 days, desired at `days`, and `policies` as policies/p.yaml.
    func repository(_ group: String, days: String, policies: String) async throws -> TempRepository {
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        let repo = try TempRepository()
        _ = try repo.commit(
            [
                "desired-state/test/environment.yaml": Fixture.environment,
                "desired-state/test/resources.yaml":
                    "resources:\n  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: "
                        + "\(days)}}\n",
                "policies/p.yaml": policies,
            ], message: "desired")
        return repo
    }

    static let retentionPolicy = """
        policies:
          - id: log-retention-minimum
            severity: SEVERITY
            match: {type: AWS::Logs::LogGroup, id: "/ballast/*"}
            assert: properties.RetentionInDays >= 14
            message: logs are kept at least 14 days

        """

    @Test func aFailingDenyBlocksPlanAndApplyAndNothingIsWritten() async throws {
        let group = "/ballast/" + uniqueName("deny")
        let repo = try await repository(
            group, days: "7", policies: Self.retentionPolicy.replacingOccurrences(of: "SEVERITY", with: "deny"))
        let plan = try repo.ballast(["plan", "--output", "json"])
        #expect(plan.status == 3)
        let results = try JSON.parse(plan.stdout)["policy"]?.list ?? []
        #expect(
            results == [
                [
                    "policy": "log-retention-minimum", "severity": "deny",
                    "resource": .string("AWS::Logs::LogGroup \(group)"),
                    "environment": "test", "message": "logs are kept at least 14 days", "result": "fail",
                    "source": ["file": "desired-state/test/resources.yaml", "line": 2],
                ]
            ])
        let text = try repo.ballast(["plan"])
        #expect(
            text.stdout.contains(
                "Denied (blocks apply):\n  log-retention-minimum  AWS::Logs::LogGroup \(group)  [test]"))

        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 3)
        #expect(apply.stderr.contains("a deny policy fails; nothing was changed"))
        #expect(try await liveRetention(group) == 30)
        #expect(try repo.ballast(["validate"]).status == 1)
    }

    @Test func aWarnIsReportedAndDoesNotBlock() async throws {
        let group = "/ballast/" + uniqueName("warn")
        let repo = try await repository(
            group, days: "7", policies: Self.retentionPolicy.replacingOccurrences(of: "SEVERITY", with: "warn"))
        let plan = try repo.ballast(["plan"])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("Warnings:\n  log-retention-minimum"))
        #expect(try repo.ballast(["apply", "--auto-approve"]).status == 0)
        #expect(try await liveRetention(group) == 7)
    }

    @Test func aWaiverWaivesUntilItExpiresThenWarns() async throws {
        let group = "/ballast/" + uniqueName("waived")
        let policy = Self.retentionPolicy.replacingOccurrences(of: "SEVERITY", with: "deny")
        let waiver = { (until: String) in
            policy
                + "waivers:\n  - {policy: log-retention-minimum, id: \"/ballast/*\", until: \(until), reason: "
                + "debug logs are short-lived}\n"
        }
        let repo = try await repository(group, days: "7", policies: waiver("2999-12-31"))
        let waived = try repo.ballast(["plan", "--output", "json"])
        #expect(waived.status == 2)
        let result = try #require(try JSON.parse(waived.stdout)["policy"]?.list?.first)
        #expect(result["result"] == "waived")
        #expect(result["reason"]?.string?.hasPrefix("debug logs are short-lived (waiver until 2999-12-31") == true)

        _ = try repo.commit(["policies/p.yaml": waiver("2020-01-31")], message: "expired")
        let expired = try repo.ballast(["plan", "--output", "json"])
        #expect(expired.status == 3)
        let results = try JSON.parse(expired.stdout)["policy"]?.list ?? []
        #expect(results.map { $0["result"]?.string ?? "" }.sorted() == ["fail", "fail"])
        #expect(
            results.contains {
                $0["severity"] == "warn" && $0["message"]?.string?.contains("expired on 2020-01-31") == true
            })
    }

    @Test func aChangePolicyCatchesACapacityJumpAStatePolicyCannotSee() async throws {
        let asg = uniqueName("asg")
        try await seeder().create(
            "AWS::AutoScaling::AutoScalingGroup", id: asg, ["MinSize": 1, "MaxSize": 20, "DesiredCapacity": 2])
        let repo = try TempRepository()
        let resources = "resources:\n  - {type: AWS::AutoScaling::AutoScalingGroup, id: \(asg), "
            + "properties: {DesiredCapacity: 10}}\n"
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment,
                             "desired-state/test/resources.yaml": resources,
                             "policies/p.yaml": """
                                policies:
                                  - id: state-capacity
                                    severity: deny
                                    assert: properties.DesiredCapacity <= 20
                                  - id: capacity-step
                                    severity: deny
                                    on: change
                                    match: {type: AWS::AutoScaling::AutoScalingGroup}
                                    assert: after.DesiredCapacity <= before.DesiredCapacity * 2
                                    message: Desired capacity may at most double in one change
                                """], message: "desired")
        let plan = try repo.ballast(["plan", "--output", "json"])
        #expect(plan.status == 3)
        let results = try JSON.parse(plan.stdout)["policy"]?.list ?? []
        #expect(
            results.map { "\($0["policy"]?.string ?? "") \($0["result"]?.string ?? "")" }.sorted() == [
                "capacity-step fail", "state-capacity pass",
            ])
        #expect(try repo.ballast(["validate"]).status == 0)  // the state alone is fine
    }

    @Test func anAssertThatDoesNotParseIsAValidateMistakeAtItsColumn() throws {
        let repo = try TempRepository()
        _ = try repo.commit(
            [
                "desired-state/test/environment.yaml": Fixture.environment,
                "desired-state/test/resources.yaml": "resources: []\n",
                "policies/p.yaml":
                    "policies:\n  - id: broken\n    severity: deny\n    assert: properties.MinSize >= (2\n",
            ], message: "broken")
        let result = try repo.ballast(["validate"])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("policies/p.yaml:4:37: assert: expected ')' but found the end of the expression"))
    }
}
