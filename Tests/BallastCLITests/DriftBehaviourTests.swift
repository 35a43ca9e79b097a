import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// What a drift run does beyond one kind: refs through CloudFormation, reads
/// that fail, several regions, long listings, exit codes and output formats.
@Suite struct DriftBehaviourTests {
    @Test func refsResolveThroughACloudFormationStack() async throws {
        let stack = uniqueName("stack"), logGroup = "/ballast/" + uniqueName("stacked")
        let template = #"{"Resources": {"AppLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "\#(logGroup)", "RetentionInDays": 7}}}}"#
        _ = try await seeder().client.query(.cloudFormation, "CreateStack", ["StackName": stack,
            "TemplateBody": template])
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, ref: {stack: \(stack), logicalId: AppLogs}, properties: {RetentionInDays: 14}}
              - {type: AWS::Logs::LogGroup, ref: {stack: \(stack), logicalId: Missing}, properties: {RetentionInDays: 14}}
              - {type: AWS::AutoScaling::AutoScalingGroup, ref: {stack: \(stack), logicalId: AppLogs}, properties: {MinSize: 1}}
              - {type: AWS::Logs::LogGroup, ref: {stack: no-such-stack, logicalId: AppLogs}, properties: {RetentionInDays: 14}}
            """)
        #expect(run.status == 1) // something NOT_CHECKED wins over drift
        let resolved = try #require(run.resources[logGroup])
        #expect(resolved["status"] == "MODIFIED")
        #expect(resolved["ref"] == ["stack": .string(stack), "logicalId": "AppLogs"])
        #expect(run.differences(of: logGroup) == [difference("/RetentionInDays", 14, 7)])
        #expect(run.resources["\(stack)/Missing (CloudFormation)"]?["reason"]?.string
            == "stack \(stack) has no resource with logical id Missing")
        #expect(run.resources["\(stack)/AppLogs (CloudFormation)"]?["reason"]?.string
            == "\(stack)/AppLogs is a AWS::Logs::LogGroup, not a AWS::AutoScaling::AutoScalingGroup")
        #expect(run.resources["no-such-stack/AppLogs (CloudFormation)"]?["reason"]?.string
            == "CloudFormation stack no-such-stack does not exist in us-east-1")
    }

    @Test func aStackOutputNamesTheResourceAsTheRunbooksDo() async throws {
        let stack = uniqueName("outputs"), logGroup = "/ballast/" + uniqueName("output")
        let template = #"{"Resources": {"AppLogs": {"Type": "AWS::Logs::LogGroup", "Properties": "#
            + #"{"LogGroupName": "\#(logGroup)", "RetentionInDays": 7}}}, "#
            + #""Outputs": {"AppLogGroupName": {"Value": {"Ref": "AppLogs"}}}}"#
        _ = try await seeder().client.query(.cloudFormation, "CreateStack", ["StackName": stack,
            "TemplateBody": template])
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, ref: {stack: \(stack), output: AppLogGroupName}, properties: {RetentionInDays: 14}}
              - {type: AWS::Logs::LogGroup, ref: {stack: \(stack), output: NoSuchOutput}, properties: {RetentionInDays: 14}}
            """)
        #expect(run.status == 1)
        #expect(run.resources[logGroup]?["ref"] == ["stack": .string(stack), "output": "AppLogGroupName"])
        #expect(run.differences(of: logGroup) == [difference("/RetentionInDays", 14, 7)])
        #expect(run.resources["\(stack) output NoSuchOutput (CloudFormation)"]?["reason"]?.string
            == "stack \(stack) has no output NoSuchOutput")
    }

    @Test func aThrottledServiceIsNotCheckedAndTheRestIsReported() async throws {
        let group = "/ballast/" + uniqueName("throttled"), rule = uniqueName("rule")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        try await seeder().create("AWS::Events::Rule", id: rule, ["State": "ENABLED",
            "ScheduleExpression": "rate(1 hour)"])
        let throttling = try LoopbackHTTPServer { _ in
            .response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"],
                      body: Array(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.utf8))
        }
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::Events::Rule, id: \(rule), properties: {State: DISABLED}}
            """, variables: ["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": throttling.url, "AWS_MAX_ATTEMPTS": "2"])
        #expect(run.status == 1)
        #expect(run.status(of: group) == "NOT_CHECKED")
        #expect(run.resources[group]?["reason"]?.string
            == "DescribeLogGroups: ThrottlingException: Rate exceeded (after 2 attempts)")
        #expect(run.differences(of: rule) == [difference("/State", "DISABLED", "ENABLED")])
        #expect(
            run.report["summary"] == [
                "resources": 2, "inSync": 0, "modified": 1, "deleted": 0, "notChecked": 1, "held": 0,
            ])
        #expect(throttling.requestCount == 2)
    }

    @Test func eachRegionIsReadWithItsOwnClient() async throws {
        let home = "/ballast/" + uniqueName("home"), away = "/ballast/" + uniqueName("away")
        try await seeder().create("AWS::Logs::LogGroup", id: home, ["RetentionInDays": 30])
        try await seeder(region: "eu-west-1").create("AWS::Logs::LogGroup", id: away, ["RetentionInDays": 14])
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, id: \(home), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(away), region: eu-west-1, properties: {RetentionInDays: 14}}
            """)
        #expect(run.status == 0)
        #expect(run.resources[home]?["region"] == "us-east-1")
        #expect(run.resources[away]?["region"] == "eu-west-1")
        #expect(run.report["summary"]?["inSync"] == 2)
    }

    @Test func logGroupsArePagedOnlyAsFarAsNeeded() async throws {
        let folder = "/ballast/" + uniqueName("many") + "/"
        let client = seeder().client
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<120 {
                group.addTask { _ = try await client.json(.logs, "CreateLogGroup", ["logGroupName": .string(folder
                    + String(format: "g%03d", index))]) }
            }
            try await group.waitForAll()
        }
        // g000 and g060: the second page ends the listing; g119 would need a third.
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, id: \(folder)g000, properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(folder)g060, properties: {RetentionInDays: 30}}
            """, arguments: ["--debug"])
        #expect(run.status(of: "\(folder)g000") == "MODIFIED")
        #expect(run.status(of: "\(folder)g060") == "MODIFIED")
        #expect(run.stderr.components(separatedBy: "-> DescribeLogGroups").count - 1 == 2)
    }

    @Test func textMarkdownAndCloudFormationOutputs() async throws {
        let group = "/ballast/" + uniqueName("formats")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository()
        let sha = try repo.commit(["desired-state/prod/environment.yaml": Fixture.environment,
                             "desired-state/prod/logs.yaml": Fixture.logGroup(group, days: 30)], message: "desired")
        func drift(_ format: String) throws -> Run.Result {
            try Run.ballast(["drift", "--repo", repo.path, "--output", format],
                environment: MotoServer.shared.environment)
        }
        let text = try drift("text")
        #expect(text.status == 2)
        #expect(
            text.stdout.contains(
                "  ~ AWS::Logs::LogGroup \(group)  (desired-state/prod/logs.yaml:2:5)\n      RetentionInDays: 7 "
                    + "-> 30\n"
            ))
        #expect(text.stdout.hasSuffix("Drift: 1 modified, 0 deleted, 0 not checked, 0 in sync (1 resource).\n"))
        let markdown = try drift("markdown")
        #expect(markdown.stdout.hasPrefix("<!-- ballast:prod -->\n**prod**: 1 drifted · `\(sha.prefix(7))`\n"))
        #expect(
            markdown.stdout.contains(
                "| ~ | `AWS::Logs::LogGroup` `\(group)` | `RetentionInDays` `7` → `30` | "
                    + "`desired-state/prod/logs.yaml:2:5` |"
            ))
        #expect(markdown.stdout.contains("See the fix: `ballast plan --env prod`"))
        let cfn = try JSON.parse(try drift("cfn").stdout)
        let entry = try #require(cfn["StackResourceDrifts"]?.list?.first)
        #expect(entry["StackResourceDriftStatus"] == "MODIFIED")
        #expect(entry["PhysicalResourceId"] == .string(group))
        #expect(entry["PropertyDifferences"] == [["PropertyPath": "/RetentionInDays", "ExpectedValue": "30",
            "ActualValue": "7",
                                                  "DifferenceType": "NOT_EQUAL"]])
        #expect(entry["ActualProperties"] == #"{"RetentionInDays":7}"#)
    }

    @Test func mistakesStopDriftBeforeAnyAWSCall() throws {
        let unreachable = ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"]
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/prod/environment.yaml": Fixture.environment,
                             "desired-state/prod/logs.yaml": Fixture.logGroup("/x", days: 31)], message: "bad")
        let result = try Run.ballast(["drift", "--repo", repo.path],
            environment: MotoServer.shared.environment.merging(unreachable) { $1 })
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("desired-state/prod/logs.yaml:5:24: RetentionInDays"))
        #expect(result.stderr.contains("nothing was read from AWS"))
    }

    @Test func accountGuardMismatchIsNotChecked() throws {
        let run = try DriftRun.run(
            "  - {type: AWS::Logs::LogGroup, id: /guarded, properties: {RetentionInDays: 30}}\n",
            environment: "region: us-east-1\naccount: \"210987654321\"\n")
        #expect(run.status == 1)
        #expect(
            run.resources["/guarded"]?["reason"]?.string
                == "account guard: environment test is guarded to account 210987654321, but the credentials are "
                    + "for 123456789012"
        )
    }
}

/// Claims the README makes about ids and lingering deletions, shown against moto.
@Suite struct DriftIdentityTests {
    @Test func arnsAreReadLikeNames() async throws {
        let group = "/ballast/" + uniqueName("arn"), asg = uniqueName("asg"), alarm = uniqueName("alarm"),
            db = uniqueName("db")
        let rule = uniqueName("rule")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        try await seeder().create("AWS::AutoScaling::AutoScalingGroup", id: asg, ["MinSize": 1, "MaxSize": 2,
            "DesiredCapacity": 1])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, ["Threshold": 5])
        try await seeder().create("AWS::RDS::DBInstance", id: db, ["BackupRetentionPeriod": 7])
        try await seeder().create("AWS::Events::Rule", id: rule, ["State": "ENABLED"])
        let ids = [
            "arn:aws:logs:us-east-1:123456789012:log-group:\(group):*",
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0:autoScalingGroupName/\(asg)",
            "arn:aws:cloudwatch:us-east-1:123456789012:alarm:\(alarm)",
            "arn:aws:rds:us-east-1:123456789012:db:\(db)",
            "arn:aws:events:us-east-1:123456789012:rule/\(rule)",
        ]
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, id: "\(ids[0])", properties: {RetentionInDays: 30}}
              - {type: AWS::AutoScaling::AutoScalingGroup, id: "\(ids[1])", properties: {MaxSize: 2}}
              - {type: AWS::CloudWatch::Alarm, id: "\(ids[2])", properties: {Threshold: 5}}
              - {type: AWS::RDS::DBInstance, id: "\(ids[3])", properties: {BackupRetentionPeriod: 7}}
              - {type: AWS::Events::Rule, id: "\(ids[4])", properties: {State: ENABLED}}
            """)
        for id in ids { #expect(run.status(of: id) == "IN_SYNC", "\(id)") }
    }

    @Test func deletedServicesAndSecretsScheduledForDeletionAreDeleted() async throws {
        let cluster = uniqueName("cluster"), secret = "ballast/" + uniqueName("gone")
        try await seeder().create("AWS::ECS::Service", id: "\(cluster)/web", ["DesiredCount": 0])
        try await seeder().create("AWS::SecretsManager::RotationSchedule", id: secret, [:])
        let client = seeder().client
        _ = try await client.json(.ecs, "DeleteService", ["cluster": .string(cluster), "service": "web"])
        _ = try await client.json(.secretsManager, "DeleteSecret", ["SecretId": .string(secret),
            "RecoveryWindowInDays": 7])
        let run = try DriftRun.run("""
              - {type: AWS::ECS::Service, id: \(cluster)/web, properties: {DesiredCount: 0}}
              - {type: AWS::SecretsManager::RotationSchedule, id: \(secret), properties: {RotationRules: {AutomaticallyAfterDays: 30}}}
            """)
        #expect(run.status(of: "\(cluster)/web") == "DELETED")
        #expect(run.status(of: secret) == "DELETED")
    }

    @Test func longRunsShowProgressOnStderr() async throws {
        let group = "/ballast/" + uniqueName("slow"), rule = uniqueName("rule")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        try await seeder().create("AWS::Events::Rule", id: rule, ["State": "ENABLED"])
        let port = MotoServer.shared.port
        // Logs answers after 2.5 s, so the run passes the two-second mark with one kind done.
        let slow = try LoopbackHTTPServer { request in
            if request.headers.first(where: { $0.key.lowercased() == "x-amz-target" })?.value.hasPrefix("Logs_")
                == true {
                Thread.sleep(forTimeInterval: 2.5)
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::Events::Rule, id: \(rule), properties: {State: ENABLED}}
            """, variables: ["AWS_ENDPOINT_URL": slow.url])
        #expect(run.status == 0)
        #expect(run.stderr.contains("reading live settings: 2/2 resources"))
    }

    /// The strict emulator checks signatures: a wrong secret key reads as what it is.
    @Test func aWrongSecretKeyIsASignatureMismatchWithAHint() throws {
        let result = try DriftRun.run(
            "  - {type: AWS::Logs::LogGroup, id: /ballast/any, properties: {RetentionInDays: 30}}\n",
            variables: ["AWS_SECRET_ACCESS_KEY": "not-the-secret-of-this-key"])
        #expect(result.status == 1)
        let reason = result.resources["/ballast/any"]?["reason"]?.string ?? ""
        #expect(reason.contains("SignatureDoesNotMatch"), "\(reason)")
        #expect(
            reason.contains(
                "check that AWS_SECRET_ACCESS_KEY (or the profile's secret key) belongs to the access key id"),
            "\(reason)")
    }

    /// XML answers keep a value's whitespace: a description ending in a newline is in sync.
    @Test func anAlarmDescriptionEndingInANewlineIsInSync() async throws {
        let alarm = uniqueName("newline")
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm,
            ["AlarmDescription": "Pages the on-call.\n  Runbook: ops/42 "])
        let run = try DriftRun.run(
            "  - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {AlarmDescription: \"Pages the "
                + "on-call.\\n  Runbook: ops/42 \"}}\n"
        )
        #expect(run.status(of: alarm) == "IN_SYNC", "\(run.differences(of: alarm))")
    }

    /// `--out-json` writes the JSON report whatever `--output` prints; `--publish-metrics` puts the
    /// counts into CloudWatch, where ListMetrics and GetMetricStatistics find them.
    @Test func theJSONReportBesideTextAndTheCountsAsCloudWatchMetrics() async throws {
        let group = "/ballast/" + uniqueName("metrics"), kept = "/ballast/" + uniqueName("metrics")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::Logs::LogGroup", id: kept, ["RetentionInDays": 30])
        let environment = uniqueName("env")
        let repo = try TempRepository()
        try repo.commit(["desired-state/\(environment)/environment.yaml": Fixture.environment,
                         "desired-state/\(environment)/logs.yaml": Fixture.logGroup(group, days: 30)
                             + Fixture.logGroup(kept, days: 30)
                            .replacingOccurrences(of: "resources:\n", with: "")], message: "two groups")
        let file = repo.path + "/drift.json"
        let result = try repo.ballast(["drift", "--out-json", file, "--publish-metrics"])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Drift: 1 modified, 0 deleted, 0 not checked, 1 in sync (2 resources)."))
        let saved = try JSON.parse(try String(contentsOfFile: file, encoding: .utf8))
        #expect(saved["command"] == "drift" && saved["schemaVersion"] == 1)
        #expect(
            saved["summary"] == ["resources": 2, "inSync": 1, "modified": 1, "deleted": 0, "notChecked": 0, "held": 0])
        let planFile = repo.path + "/plan.json"
        #expect(try repo.ballast(["plan", "--output", "markdown", "--out-json", planFile]).status == 2)
        let plan = try JSON.parse(try String(contentsOfFile: planFile, encoding: .utf8))
        #expect(plan["command"] == "plan" && plan["changes"]?.list?.count == 1)

        let cloudWatch = seeder().client
        for (metric, expected) in [("InSyncResources", 1.0), ("DriftedResources", 1.0), ("DeletedResources", 0.0),
                                   ("NotCheckedResources", 0.0)] {
            let now = Date()
            let answer = try await cloudWatch.query(.cloudWatch, "GetMetricStatistics", [
                "Namespace": "Ballast", "MetricName": metric, "Statistics.member.1": "Maximum", "Period": "60",
                "Dimensions.member.1.Name": "Environment", "Dimensions.member.1.Value": environment,
                "StartTime": Timestamp.iso8601(now.addingTimeInterval(-600)),
                    "EndTime": Timestamp.iso8601(now.addingTimeInterval(600)),
                ])
            let values =
                answer.child("Datapoints")?.children.compactMap { $0.child("Maximum").flatMap { Double($0.text) } }
                ?? []
            #expect(values == [expected], "\(metric)")
        }
    }
}
