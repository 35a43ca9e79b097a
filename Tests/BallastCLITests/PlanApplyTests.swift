import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Plan and apply end to end against moto.
@Suite struct PlanApplyTests {
    func ballast(_ arguments: [String], _ repo: TempRepository) throws -> Run.Result {
        try Run.ballast(arguments + ["--repo", repo.path], environment: MotoServer.shared.environment)
    }

    @Test func planThenApplyConvergesAndKeepsUnownedAlarmSettings() async throws {
        let asg = uniqueName("asg")
        let group = "/ballast/" + uniqueName("apply")
        let alarm = uniqueName("alarm")
        try await seeder().create(
            "AWS::AutoScaling::AutoScalingGroup", id: asg, ["MinSize": 1, "MaxSize": 8, "DesiredCapacity": 8])
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, [
                "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": ["QueueName": "frames"],
                "Threshold": 300, "EvaluationPeriods": 5, "AlarmDescription": "owned by nobody here",
                "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"],
            ])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::AutoScaling::AutoScalingGroup, id: \(asg), properties: {MaxSize: 4, DesiredCapacity: {within: [1, 4]}}}
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {Threshold: 600}}
            """)
        let planFile = repo.path + "/test.plan.json"
        let plan = try ballast(["plan", "--out", planFile, "--output", "json"], repo)
        #expect(plan.status == 2)
        let changes = try JSON.parse(plan.stdout)["changes"]?.list ?? []
        // One write per resource: both ASG values in one UpdateAutoScalingGroup; the range moves to its bound.
        #expect(changes.map { $0["call"]?.string ?? "" }.sorted()
            == ["autoscaling:UpdateAutoScalingGroup", "cloudwatch:PutMetricAlarm", "logs:PutRetentionPolicy"])
        #expect(changes.first { $0["call"] == "autoscaling:UpdateAutoScalingGroup" }?["set"]
            == ["/MaxSize": ["from": 8, "to": 4], "/DesiredCapacity": ["from": 8, "to": 4]])

        let apply = try ballast(["apply", planFile], repo)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Apply: 3 of 3 changes applied, 3 verified"))
        #expect(try ballast(["drift"], repo).status == 0)

        let after = try await seeder().client.query(.cloudWatch, "DescribeAlarms", ["AlarmNames.member.1": alarm])
        let live = try #require(after.child("MetricAlarms")?.children.first)
        #expect(live.child("Threshold")?.text == "600.0")
        #expect(live.child("AlarmDescription")?.text == "owned by nobody here")
        #expect(live.child("AlarmActions")?.children.map(\.text) == ["arn:aws:sns:us-east-1:123456789012:pager"])
        #expect(live["Dimensions", "member", "Value"]?.text == "frames")
    }

    @Test func aStalePlanIsRefusedAndNothingIsWritten() async throws {
        let group = "/ballast/" + uniqueName("stale")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let planFile = repo.path + "/stale.plan.json"
        #expect(try ballast(["plan", "--out", planFile], repo).status == 2)
        // Someone changes it by hand between plan and apply.
        _ = try await seeder().client.json(
            .logs, "PutRetentionPolicy", ["logGroupName": .string(group), "retentionInDays": 14])
        let apply = try ballast(["apply", planFile], repo)
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("the plan is stale"))
        #expect(apply.stderr.contains("AWS::Logs::LogGroup \(group) /RetentionInDays: planned from 7, now 14"))
        let groups = try await seeder().client.json(.logs, "DescribeLogGroups", ["logGroupNamePrefix": .string(group)])
        #expect(groups["logGroups"]?.list?.first?["retentionInDays"] == 14)
    }

    @Test func anEditedPlanFileIsRefused() async throws {
        let group = "/ballast/" + uniqueName("edited")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let planFile = repo.path + "/edited.plan.json"
        _ = try ballast(["plan", "--out", planFile], repo)
        let text = try String(contentsOfFile: planFile, encoding: .utf8).replacingOccurrences(
            of: "\"to\": 30", with: "\"to\": 1")
        try text.write(toFile: planFile, atomically: true, encoding: .utf8)
        let apply = try ballast(["apply", planFile], repo)
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("checksum does not match"))
    }

    @Test func applyWithoutATerminalNeedsAutoApprove() async throws {
        let group = "/ballast/" + uniqueName("approve")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let refused = try ballast(["apply"], repo)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pass --auto-approve"))
        let applied = try ballast(["apply", "--auto-approve"], repo)
        #expect(applied.status == 0)
        #expect(applied.stdout.contains("applied        logs:PutRetentionPolicy \(group)"))
    }
}
