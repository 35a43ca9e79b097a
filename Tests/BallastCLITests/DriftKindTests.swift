import BallastAWS
import BallastCore
import BallastTestSupport
import Testing

/// Every kind end to end against moto: one resource in sync with AWS defaults
/// in play (no false drift), one drifted, with the exact differences.
@Suite struct DriftKindTests {
    @Test func autoScalingGroup() async throws {
        let (sync, drifted) = (uniqueName("asg"), uniqueName("asg"))
        try await seeder().create(
            "AWS::AutoScaling::AutoScalingGroup", id: sync, ["MinSize": 1, "MaxSize": 3, "DesiredCapacity": 2])
        try await seeder().create(
            "AWS::AutoScaling::AutoScalingGroup", id: drifted, ["MinSize": 1, "MaxSize": 5, "DesiredCapacity": 5])
        let run = try DriftRun.run("""
              - {type: AWS::AutoScaling::AutoScalingGroup, id: \(sync), properties: {MinSize: 1, MaxSize: 3, DesiredCapacity: {within: [1, 3]}}}
              - {type: AWS::AutoScaling::AutoScalingGroup, id: \(drifted), properties: {MinSize: 1, MaxSize: 3, DesiredCapacity: {within: [1, 3]}}}
            """)
        #expect(run.status == 2)
        #expect(run.status(of: sync) == "IN_SYNC")
        #expect(run.status(of: drifted) == "MODIFIED")
        #expect(run.differences(of: drifted) == [
            difference("/DesiredCapacity", ["within": [1, 3]], 5),
            difference("/MaxSize", 3, 5),
        ])
    }

    @Test func ecsService() async throws {
        let cluster = uniqueName("cluster")
        try await seeder().create("AWS::ECS::Service", id: "\(cluster)/web", ["DesiredCount": 2])
        try await seeder().create("AWS::ECS::Service", id: "\(cluster)/worker", ["DesiredCount": 4])
        let run = try DriftRun.run("""
              - {type: AWS::ECS::Service, id: \(cluster)/web, properties: {DesiredCount: 2}}
              - {type: AWS::ECS::Service, id: \(cluster)/worker, properties: {DesiredCount: 2}}
              - {type: AWS::ECS::Service, id: \(cluster)/gone, properties: {DesiredCount: 1}}
            """)
        #expect(run.status(of: "\(cluster)/web") == "IN_SYNC")
        #expect(run.differences(of: "\(cluster)/worker") == [difference("/DesiredCount", 2, 4)])
        #expect(run.status(of: "\(cluster)/gone") == "DELETED")
    }

    @Test func dynamoDBTable() async throws {
        let (sync, drifted) = (uniqueName("table"), uniqueName("table"))
        // On demand, PITR and TTL never touched: AWS's defaults must read as false.
        try await seeder().create("AWS::DynamoDB::Table", id: sync, ["BillingMode": "PAY_PER_REQUEST"])
        try await seeder().create("AWS::DynamoDB::Table", id: drifted,
            [
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": ["ReadCapacityUnits": 5, "WriteCapacityUnits": 5],
            ])
        let run = try DriftRun.run("""
              - type: AWS::DynamoDB::Table
                id: \(sync)
                properties:
                  BillingMode: PAY_PER_REQUEST
                  PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: false}
                  TimeToLiveSpecification: {Enabled: false}
              - type: AWS::DynamoDB::Table
                id: \(drifted)
                properties:
                  BillingMode: PROVISIONED
                  ProvisionedThroughput: {ReadCapacityUnits: 10, WriteCapacityUnits: 5}
                  PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
                  TimeToLiveSpecification: {Enabled: true, AttributeName: expiresAt}
            """)
        #expect(run.status(of: sync) == "IN_SYNC")
        #expect(run.differences(of: drifted) == [
            difference("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled", true, false),
            difference("/ProvisionedThroughput/ReadCapacityUnits", 10, 5),
            difference("/TimeToLiveSpecification/AttributeName", "expiresAt", nil, "REMOVE"),
            difference("/TimeToLiveSpecification/Enabled", true, false),
        ])
    }

    @Test func scalableTarget() async throws {
        let table = uniqueName("scaled")
        try await seeder().create("AWS::DynamoDB::Table", id: table, [:])
        let read = "dynamodb/table/\(table)/dynamodb:table:ReadCapacityUnits"
        let write = "dynamodb/table/\(table)/dynamodb:table:WriteCapacityUnits"
        try await seeder().create(
            "AWS::ApplicationAutoScaling::ScalableTarget", id: read, ["MinCapacity": 1, "MaxCapacity": 10])
        try await seeder().create(
            "AWS::ApplicationAutoScaling::ScalableTarget", id: write, ["MinCapacity": 1, "MaxCapacity": 20])
        let run = try DriftRun.run("""
              - {type: AWS::ApplicationAutoScaling::ScalableTarget, id: \(read), properties: {MinCapacity: 1, MaxCapacity: 10}}
              - {type: AWS::ApplicationAutoScaling::ScalableTarget, id: \(write), properties: {MinCapacity: 1, MaxCapacity: 10}}
            """)
        #expect(run.status(of: read) == "IN_SYNC")
        #expect(run.differences(of: write) == [difference("/MaxCapacity", 10, 20)])
    }

    @Test func lambdaFunction() async throws {
        let (sync, drifted) = (uniqueName("fn"), uniqueName("fn"))
        try await seeder().create(
            "AWS::Lambda::Function", id: sync, ["MemorySize": 256, "Timeout": 30, "ReservedConcurrentExecutions": 5])
        try await seeder().create("AWS::Lambda::Function", id: drifted, ["MemorySize": 256, "Timeout": 30])
        let run = try DriftRun.run("""
              - {type: AWS::Lambda::Function, id: \(sync), properties: {MemorySize: 256, Timeout: 30, ReservedConcurrentExecutions: 5}}
              - {type: AWS::Lambda::Function, id: \(drifted), properties: {MemorySize: 512, Timeout: 30, ReservedConcurrentExecutions: 5}}
            """)
        #expect(run.status(of: sync) == "IN_SYNC")
        // No reservation is an absent property: REMOVE, not zero.
        #expect(run.differences(of: drifted) == [
            difference("/MemorySize", 512, 256),
            difference("/ReservedConcurrentExecutions", 5, nil, "REMOVE"),
        ])
    }

    @Test func logGroup() async throws {
        let folder = "/ballast/" + uniqueName("logs")
        try await seeder().create("AWS::Logs::LogGroup", id: "\(folder)/kept", ["RetentionInDays": 60])
        try await seeder().create("AWS::Logs::LogGroup", id: "\(folder)/forever", [:])
        let run = try DriftRun.run("""
              - {type: AWS::Logs::LogGroup, id: \(folder)/kept, properties: {RetentionInDays: {atLeast: 30}}}
              - {type: AWS::Logs::LogGroup, id: \(folder)/forever, properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(folder)/missing, properties: {RetentionInDays: 30}}
            """)
        #expect(run.status(of: "\(folder)/kept") == "IN_SYNC")
        // Never-expiring groups have no retention at all.
        #expect(run.differences(of: "\(folder)/forever") == [difference("/RetentionInDays", 30, nil, "REMOVE")])
        #expect(run.status(of: "\(folder)/missing") == "DELETED")
    }

    @Test func cloudWatchAlarm() async throws {
        let (sync, drifted) = (uniqueName("alarm"), uniqueName("alarm"))
        let pager = "arn:aws:sns:us-east-1:123456789012:pager", chat = "arn:aws:sns:us-east-1:123456789012:chat"
        // Actions in another order, no TreatMissingData, no DatapointsToAlarm: all AWS defaults.
        try await seeder().create("AWS::CloudWatch::Alarm", id: sync, [
                "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": ["QueueName": "frames"],
                "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 3, "Threshold": 80,
                "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [.string(chat), .string(pager)],
        ])
        try await seeder().create("AWS::CloudWatch::Alarm", id: drifted, [
                "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": ["QueueName": "other"],
                "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 3, "Threshold": 90,
                "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [.string(pager), .string(chat)],
        ])
        let desired = { (name: String) in """
              - type: AWS::CloudWatch::Alarm
                id: \(name)
                properties:
                  Namespace: AWS/SQS
                  MetricName: ApproximateAgeOfOldestMessage
                  Dimensions: {QueueName: frames}
                  Statistic: Maximum
                  Period: 60
                  EvaluationPeriods: 3
                  DatapointsToAlarm: 3
                  Threshold: 80.0
                  ComparisonOperator: GreaterThanThreshold
                  TreatMissingData: missing
                  AlarmActions: [\(pager)]
                  OKActions: []

            """ }
        let run = try DriftRun.run(desired(sync).replacingOccurrences(of: "AlarmActions: "
            + "[\(pager)]", with: "AlarmActions: [\(pager), \(chat)]")
            + desired(drifted))
        #expect(run.status(of: sync) == "IN_SYNC")
        #expect(run.differences(of: drifted) == [
            difference("/AlarmActions/1", nil, .string(chat), "ADD"),
            difference("/Dimensions/QueueName", "frames", "other"),
            difference("/Threshold", 80.0, 90.0),
        ])
    }

    @Test func rotationSchedule() async throws {
        let (sync, cancelled) = ("ballast/" + uniqueName("secret"), "ballast/" + uniqueName("secret"))
        let rotator = "arn:aws:lambda:us-east-1:123456789012:function:" + uniqueName("rotator")
        for name in [sync, cancelled] {
            try await seeder().create(
                "AWS::SecretsManager::RotationSchedule", id: name,
                ["RotationLambdaARN": .string(rotator), "RotationRules": ["AutomaticallyAfterDays": 30]])
        }
        // Rotation cancelled during an incident: AWS keeps the old rules on record.
        _ = try await seeder().client.json(.secretsManager, "CancelRotateSecret", ["SecretId": .string(cancelled)])
        let run = try DriftRun.run("""
              - {type: AWS::SecretsManager::RotationSchedule, id: \(sync), properties: {RotationLambdaARN: "\(rotator)", RotationRules: {AutomaticallyAfterDays: 30}}}
              - {type: AWS::SecretsManager::RotationSchedule, id: \(cancelled), properties: {RotationLambdaARN: "\(rotator)", RotationRules: {AutomaticallyAfterDays: 30}}}
            """)
        #expect(run.status(of: sync) == "IN_SYNC")
        #expect(
            run.differences(of: cancelled) == [difference("/RotationRules/AutomaticallyAfterDays", 30, nil, "REMOVE")])
    }

    @Test func kmsKey() async throws {
        let alias = "alias/" + uniqueName("key")
        try await seeder().create("AWS::KMS::Key", id: alias, ["EnableKeyRotation": true])
        let keyId = try await seeder().create("AWS::KMS::Key", id: "new", ["EnableKeyRotation": false])
        let gone = "11111111-2222-3333-4444-555555555555"
        let run = try DriftRun.run("""
              - {type: AWS::KMS::Key, id: \(alias), properties: {EnableKeyRotation: true, RotationPeriodInDays: 365}}
              - {type: AWS::KMS::Key, id: \(keyId), properties: {EnableKeyRotation: true}}
              - {type: AWS::KMS::Key, id: \(gone), properties: {EnableKeyRotation: true}}
            """)
        #expect(run.status(of: alias) == "IN_SYNC")
        #expect(run.differences(of: keyId) == [difference("/EnableKeyRotation", true, false)])
        #expect(run.status(of: gone) == "DELETED")
    }

    @Test func dbInstance() async throws {
        let (sync, drifted) = (uniqueName("db"), uniqueName("db"))
        let settings: [String: Value] = [
            "BackupRetentionPeriod": 7, "PreferredBackupWindow": "03:00-04:00",
            "PreferredMaintenanceWindow": "sun:05:00-sun:06:00", "DeletionProtection": false,
        ]
        try await seeder().create("AWS::RDS::DBInstance", id: sync, settings)
        try await seeder().create("AWS::RDS::DBInstance", id: drifted, settings)
        let run = try DriftRun.run("""
              - {type: AWS::RDS::DBInstance, id: \(sync), properties: {BackupRetentionPeriod: 7, PreferredBackupWindow: "03:00-04:00", PreferredMaintenanceWindow: "sun:05:00-sun:06:00", DeletionProtection: false}}
              - {type: AWS::RDS::DBInstance, id: \(drifted), properties: {BackupRetentionPeriod: 14, DeletionProtection: true}}
            """)
        #expect(run.status(of: sync) == "IN_SYNC")
        #expect(
            run.differences(of: drifted) == [
                difference("/BackupRetentionPeriod", 14, 7), difference("/DeletionProtection", true, false),
            ])
    }

    @Test func s3Bucket() async throws {
        let (sync, plain, drifted) = (uniqueName("bucket"), uniqueName("bucket"), uniqueName("bucket"))
        let rules: Value = [["Status": "Enabled", "Prefix": "raw/", "ExpirationInDays": 30]]
        try await seeder().create("AWS::S3::Bucket", id: sync, ["VersioningConfiguration": ["Status": "Enabled"],
                                                               "LifecycleConfiguration": ["Rules": rules]])
        try await seeder().create("AWS::S3::Bucket", id: plain, [:])
        try await seeder().create("AWS::S3::Bucket", id: drifted, [
                "LifecycleConfiguration": [
                    "Rules": [["Id": "raw", "Status": "Enabled", "Prefix": "raw/", "ExpirationInDays": 7]]
                ]
            ])
        let run = try DriftRun.run("""
              - type: AWS::S3::Bucket
                id: \(sync)
                properties:
                  VersioningConfiguration: {Status: Enabled}
                  LifecycleConfiguration: {Rules: [{Status: Enabled, Prefix: raw/, ExpirationInDays: 30}]}
              - {type: AWS::S3::Bucket, id: \(plain), properties: {VersioningConfiguration: {Status: Suspended}, LifecycleConfiguration: {Rules: []}}}
              - type: AWS::S3::Bucket
                id: \(drifted)
                properties:
                  VersioningConfiguration: {Status: Enabled}
                  LifecycleConfiguration: {Rules: [{Id: raw, Status: Enabled, Prefix: raw/, ExpirationInDays: 30}]}
            """)
        #expect(run.status(of: sync) == "IN_SYNC")
        // Never versioned reads as Suspended; no lifecycle configuration is no rules.
        #expect(run.status(of: plain) == "IN_SYNC")
        #expect(run.differences(of: drifted) == [
            difference("/LifecycleConfiguration/Rules/0/ExpirationInDays", 30, 7),
            difference("/VersioningConfiguration/Status", "Enabled", "Suspended"),
        ])
    }

    @Test func timestreamTable() async throws {
        let database = uniqueName("db").replacingOccurrences(of: "-", with: "_")
        try await seeder().create("AWS::Timestream::Table", id: "\(database)/positions",
            [
                "RetentionProperties": [
                    "MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 365,
                ]
            ])
        try await seeder().create("AWS::Timestream::Table", id: "\(database)/events",
            [
                "RetentionProperties": [
                    "MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 30,
                ]
            ])
        let run = try DriftRun.run("""
              - {type: AWS::Timestream::Table, id: \(database)/positions, properties: {RetentionProperties: {MemoryStoreRetentionPeriodInHours: 24, MagneticStoreRetentionPeriodInDays: 365}}}
              - {type: AWS::Timestream::Table, id: \(database)/events, properties: {RetentionProperties: {MagneticStoreRetentionPeriodInDays: 365}}}
            """)
        #expect(run.status(of: "\(database)/positions") == "IN_SYNC")
        #expect(
            run.differences(of: "\(database)/events") == [
                difference("/RetentionProperties/MagneticStoreRetentionPeriodInDays", 365, 30)
            ])
    }

    @Test func eventsRule() async throws {
        let (sync, drifted) = (uniqueName("rule"), uniqueName("rule"))
        try await seeder().create(
            "AWS::Events::Rule", id: sync, ["State": "ENABLED", "ScheduleExpression": "rate(1 hour)"])
        try await seeder().create(
            "AWS::Events::Rule", id: drifted, ["State": "DISABLED", "ScheduleExpression": "rate(2 hours)"])
        let run = try DriftRun.run("""
              - {type: AWS::Events::Rule, id: \(sync), properties: {State: ENABLED, ScheduleExpression: rate(1 hour)}}
              - {type: AWS::Events::Rule, id: \(drifted), properties: {State: ENABLED, ScheduleExpression: rate(1 hour)}}
            """)
        #expect(run.status(of: sync) == "IN_SYNC")
        #expect(run.differences(of: drifted) == [
            difference("/ScheduleExpression", "rate(1 hour)", "rate(2 hours)"),
            difference("/State", "ENABLED", "DISABLED"),
        ])
    }

    /// A queue named by name and one by URL; the redrive policy compared as a mapping, a missing
    /// queue DELETED.
    @Test func sqsQueue() async throws {
        let (sync, drifted, gone) = (uniqueName("queue"), uniqueName("queue"), uniqueName("queue"))
        let redrive: Value = ["maxReceiveCount": 5, "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"]
        try await seeder().create("AWS::SQS::Queue", id: sync, ["VisibilityTimeout": 60, "RedrivePolicy": redrive])
        try await seeder().create("AWS::SQS::Queue", id: drifted, ["VisibilityTimeout": 30, "DelaySeconds": 10])
        let answer = try await seeder().client.json(.sqs, "GetQueueUrl", .map(["QueueName": .string(drifted)]))
        let url = answer["QueueUrl"]?.string ?? ""
        let run = try DriftRun.run("""
              - {type: AWS::SQS::Queue, id: \(sync),
                 properties: {VisibilityTimeout: {atLeast: 30}, RedrivePolicy: {maxReceiveCount: 5}}}
              - {type: AWS::SQS::Queue, id: "\(url)", properties: {VisibilityTimeout: 60, DelaySeconds: 10}}
              - {type: AWS::SQS::Queue, id: \(gone), properties: {VisibilityTimeout: 60}}
            """)
        #expect(run.status(of: sync) == "IN_SYNC")
        #expect(run.differences(of: url) == [difference("/VisibilityTimeout", 60, 30)])
        #expect(run.status(of: gone) == "DELETED")
    }
}
