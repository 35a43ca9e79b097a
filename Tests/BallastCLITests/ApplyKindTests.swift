import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Plan then apply for every kind against moto: the writes land, the read-back
/// verifies them, and drift is clean afterwards.
@Suite struct ApplyKindTests {
    /// One kind: its live resource (seeded drifted) and the desired properties.
    struct Case: Sendable, CustomTestStringConvertible {
        let type: String
        let id: @Sendable () -> String
        let live: Value
        let desired: String
        var seedFirst: (@Sendable (String) async throws -> Void)? = nil

        var testDescription: String { type }
    }

    static let rotator = "arn:aws:lambda:us-east-1:123456789012:function:" + uniqueName("rotator")
    static let cases: [Case] = [
        Case(type: "AWS::AutoScaling::AutoScalingGroup", id: { uniqueName("asg") },
             live: ["MinSize": 1, "MaxSize": 8, "DesiredCapacity": 8], desired: "{MinSize: 2, MaxSize: 4, DesiredCapacity: {within: [2, 4]}}"),
        Case(type: "AWS::ECS::Service", id: { uniqueName("cluster") + "/web" }, live: ["DesiredCount": 6], desired: "{DesiredCount: 2}"),
        Case(type: "AWS::DynamoDB::Table", id: { uniqueName("table") },
             live: ["BillingMode": "PROVISIONED", "ProvisionedThroughput": ["ReadCapacityUnits": 5, "WriteCapacityUnits": 5]],
             desired: "{ProvisionedThroughput: {ReadCapacityUnits: 20, WriteCapacityUnits: 10}, PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}, TimeToLiveSpecification: {Enabled: true, AttributeName: expiresAt}}"),
        Case(type: "AWS::ApplicationAutoScaling::ScalableTarget", id: { "dynamodb/table/\(uniqueName("scaled"))/dynamodb:table:ReadCapacityUnits" },
             live: ["MinCapacity": 1, "MaxCapacity": 50], desired: "{MinCapacity: 5, MaxCapacity: 20}",
             seedFirst: { id in try await seeder().create("AWS::DynamoDB::Table", id: String(id.split(separator: "/")[2]), [:]) }),
        Case(type: "AWS::Lambda::Function", id: { uniqueName("fn") },
             live: ["MemorySize": 128, "Timeout": 3], desired: "{MemorySize: 512, Timeout: 30, ReservedConcurrentExecutions: 5}"),
        Case(type: "AWS::Logs::LogGroup", id: { "/ballast/" + uniqueName("logs") }, live: ["RetentionInDays": 7], desired: "{RetentionInDays: {atLeast: 30}}"),
        Case(type: "AWS::CloudWatch::Alarm", id: { uniqueName("alarm") },
             live: ["Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage", "Dimensions": ["QueueName": "frames"],
                    "Threshold": 300, "EvaluationPeriods": 5, "ActionsEnabled": false],
             desired: "{Threshold: 120, EvaluationPeriods: 3, ActionsEnabled: true, AlarmActions: [\"arn:aws:sns:us-east-1:123456789012:pager\"]}"),
        Case(type: "AWS::SecretsManager::RotationSchedule", id: { "ballast/" + uniqueName("secret") },
             live: ["RotationLambdaARN": .string(rotator), "RotationRules": ["AutomaticallyAfterDays": 90]],
             desired: "{RotationLambdaARN: \"\(rotator)\", RotationRules: {AutomaticallyAfterDays: 30}}"),
        Case(type: "AWS::KMS::Key", id: { "alias/" + uniqueName("key") }, live: ["EnableKeyRotation": false], desired: "{EnableKeyRotation: true}"),
        Case(type: "AWS::RDS::DBInstance", id: { uniqueName("db") },
             live: ["BackupRetentionPeriod": 1, "DeletionProtection": false, "PreferredBackupWindow": "03:00-04:00"],
             desired: "{BackupRetentionPeriod: 14, DeletionProtection: true, PreferredBackupWindow: \"01:00-02:00\"}"),
        Case(type: "AWS::S3::Bucket", id: { uniqueName("bucket") }, live: [:],
             desired: "{VersioningConfiguration: {Status: Enabled}, LifecycleConfiguration: {Rules: [{Id: raw, Status: Enabled, Prefix: raw/, ExpirationInDays: 30}]}}"),
        Case(type: "AWS::Timestream::Table", id: { uniqueName("tsdb").replacingOccurrences(of: "-", with: "_") + "/positions" },
             live: ["RetentionProperties": ["MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 30]],
             desired: "{RetentionProperties: {MemoryStoreRetentionPeriodInHours: 12, MagneticStoreRetentionPeriodInDays: 365}}"),
        Case(type: "AWS::Events::Rule", id: { uniqueName("rule") }, live: ["State": "DISABLED", "ScheduleExpression": "rate(2 hours)"],
             desired: "{State: ENABLED, ScheduleExpression: rate(1 hour)}"),
        Case(type: "AWS::SQS::Queue", id: { uniqueName("queue") },
             live: ["VisibilityTimeout": 30, "DelaySeconds": 0,
                    "RedrivePolicy": ["maxReceiveCount": 5,
                                      "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"]],
             desired: "{VisibilityTimeout: {atLeast: 120}, DelaySeconds: 5, RedrivePolicy: {maxReceiveCount: 3}}"),
        // The seeder names the ACL; AWS picks its id: the case runs on `NAME|ID|REGIONAL` as seeded.
        Case(type: "AWS::WAFv2::WebACL", id: { uniqueName("acl") },
             live: ["DefaultAction": ["Allow": [:]],
                    "Rules": [["Name": "per-ip", "Statement": ["RateBasedStatement": ["Limit": 2_000]]],
                              ["Name": "other", "Action": ["Count": [:]]]]],
             desired: "{DefaultAction: {Block: {}}, Rules: [{Name: per-ip, Action: {Block: {}}, "
                 + "Statement: {RateBasedStatement: {Limit: 500, EvaluationWindowSec: 60}}}]}"),
        // The seeder makes the REST API; AWS picks its id: the case runs on `RESTAPIID/prod`.
        Case(type: "AWS::ApiGateway::Stage", id: { uniqueName("api") + "/prod" },
             live: ["MethodSettings": [["ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 1_000,
                                        "ThrottlingBurstLimit": 2_000, "MetricsEnabled": false]]],
             desired: "{MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 100, "
                 + "ThrottlingBurstLimit: 50, MetricsEnabled: true}, "
                 + "{ResourcePath: /~1pets, HttpMethod: GET, CachingEnabled: false, LoggingLevel: ERROR}]}"),
        Case(type: "AWS::ElastiCache::ReplicationGroup", id: { uniqueName("cache") },
             live: ["SnapshotRetentionLimit": 0, "CacheNodeType": "cache.t4g.micro", "NumCacheClusters": 2,
                    "AutomaticFailoverEnabled": false],
             desired: "{SnapshotRetentionLimit: {atLeast: 7}, SnapshotWindow: \"03:00-04:00\", "
                 + "CacheNodeType: cache.r7g.large, NumCacheClusters: 3, AutomaticFailoverEnabled: true}"),
        Case(type: "AWS::Lambda::Alias", id: { uniqueName("fn") + ":live" },
             live: ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 2]],
             desired: "{ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: {atLeast: 5}}}"),
        Case(type: "AWS::ApiGatewayV2::Stage", id: { uniqueName("http") + "/prod" },
             live: ["DefaultRouteSettings": ["ThrottlingRateLimit": 1_000, "ThrottlingBurstLimit": 500],
                    "RouteSettings": ["GET /pets": ["ThrottlingRateLimit": 10]]],
             desired: "{DefaultRouteSettings: {ThrottlingRateLimit: 100}, RouteSettings: {'POST /orders': "
                 + "{ThrottlingBurstLimit: 5}}, AccessLogSettings: "
                 + "{DestinationArn: \"arn:aws:logs:us-east-1:123456789012:log-group:http-access\"}}"),
        Case(type: "AWS::Budgets::Budget", id: { uniqueName("budget") },
             live: ["BudgetLimit": ["Amount": 100, "Unit": "USD"],
                    "NotificationsWithSubscribers": [
                        ["Notification": ["NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                                          "Threshold": 80, "ThresholdType": "PERCENTAGE"],
                         "Subscribers": [["SubscriptionType": "EMAIL", "Address": "ops@example.com"]]]]],
             desired: "{BudgetLimit: {Amount: 250}, TimeUnit: MONTHLY, NotificationsWithSubscribers: ["
                 + "{Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80}, "
                 + "Subscribers: [{SubscriptionType: EMAIL, Address: oncall@example.com}]}, "
                 + "{Notification: {NotificationType: FORECASTED, ComparisonOperator: GREATER_THAN, Threshold: 100}, "
                 + "Subscribers: [{SubscriptionType: SNS, Address: \"arn:aws:sns:us-east-1:123456789012:budget\"}]}]}"),
    ]

    @Test(arguments: cases)
    func planThenApplyConverges(_ kind: Case) async throws {
        let name = kind.id()
        try await kind.seedFirst?(name)
        guard case .map(let live) = kind.live else { return }
        let id = try await seeder().create(kind.type, id: name, live)
        let repo = try TempRepository.desiredState("  - {type: \(kind.type), id: \"\(id)\", properties: \(kind.desired)}\n")
        // Every request ballast sends is kept and checked against botocore's model of its operation.
        let recorder = try RequestRecorder()
        let environment = recorder.environment

        let plan = try Run.ballast(["plan", "--repo", repo.path, "--output", "json"], environment: environment)
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        let planned = try JSON.parse(plan.stdout)["changes"]?.list ?? []
        #expect(!planned.isEmpty)

        let apply = try Run.ballast(["apply", "--auto-approve", "--repo", repo.path], environment: environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Apply: \(planned.count) of \(planned.count) changes applied, \(planned.count) verified"))

        let drift = try Run.ballast(["drift", "--repo", repo.path], environment: environment)
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")

        let checked = try recorder.violations(checker: Self.checker)
        #expect(checked.problems == [], "\(kind.type): \(checked.summary)")
        print("\(kind.type): \(checked.summary) against botocore's models, \(checked.problems.count) violations")
    }

    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Contracts/check_requests.py").path
}
