import BallastCore
import Foundation

/// Resources of every kind for scale tests and benchmarks: each as seeded in moto (live)
/// and as desired, drifted or not.
public enum ScaleFixture {
    /// One resource of a kind, as seeded (live) and as desired (drifted or not).
    public struct Item: Sendable {
        public let type: String
        /// The id to seed under; after `seed`, the one the seeder gave back (a WAF web ACL's
        /// `NAME|ID|SCOPE`, whose ID AWS chooses).
        public let id: String
        public let live: [String: Value]
        let properties: String
        public let drifted: Bool

        /// The resource's entry in a desired-state file.
        public var desired: String {
            "  - {type: \(type), id: \"\(id)\", properties: \(properties)}\(drifted ? "  # drifted" : "")\n"
        }

        func seeded(as id: String) -> Item {
            Item(type: type, id: id, live: live, properties: properties, drifted: drifted)
        }
    }

    /// Creates the live side, 16 at a time; tables first, as the scalable targets point at them.
    /// Returns the items, in their order, with the ids they were created under.
    public static func seed(_ items: [Item], with seeder: LiveSeeder) async throws -> [Item] {
        var seeded = items
        let indices = Array(items.indices)
        let tables = indices.filter { items[$0].type == "AWS::DynamoDB::Table" }
        for wave in [tables, indices.filter { items[$0].type != "AWS::DynamoDB::Table" }] {
            // One-entry maps, not tuples (see `Reading.each`).
            try await withThrowingTaskGroup(of: [Int: String].self) { group in
                var next = wave.makeIterator()
                func start(_ index: Int) {
                    let item = items[index]
                    group.addTask { [index: try await seeder.create(item.type, id: item.id, item.live)] }
                }
                for _ in 0..<16 { if let index = next.next() { start(index) } }
                while let done = try await group.next() {
                    for (index, id) in done { seeded[index] = items[index].seeded(as: id) }
                    if let index = next.next() { start(index) }
                }
            }
        }
        return seeded
    }

    public static func item(_ type: String, _ id: String, _ live: [String: Value], _ desired: String, drifted: Bool) -> Item {
        Item(type: type, id: id, live: live, properties: desired, drifted: drifted)
    }

    /// One generator per kind: (index, drifted) -> item.
    public static let kinds: [@Sendable (Int, Bool) -> Item] = [
        { i, d in item("AWS::AutoScaling::AutoScalingGroup", "bench-asg-\(i)", ["MinSize": 0, "MaxSize": 4, "DesiredCapacity": 0],
                       "{MinSize: 0, MaxSize: \(d ? 6 : 4), DesiredCapacity: {within: [0, 4]}}", drifted: d) },
        { i, d in item("AWS::ECS::Service", "bench-cluster-\(i % 10)/svc-\(i)", ["DesiredCount": 2], "{DesiredCount: \(d ? 3 : 2)}", drifted: d) },
        { i, d in item("AWS::DynamoDB::Table", "bench-table-\(i)",
                       ["BillingMode": "PROVISIONED", "ProvisionedThroughput": ["ReadCapacityUnits": 5, "WriteCapacityUnits": 5]],
                       "{BillingMode: PROVISIONED, ProvisionedThroughput: {ReadCapacityUnits: \(d ? 10 : 5), WriteCapacityUnits: 5}, "
                       + "PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: false}, TimeToLiveSpecification: {Enabled: false}}",
                       drifted: d) },
        { i, d in item("AWS::ApplicationAutoScaling::ScalableTarget", "dynamodb/table/bench-table-\(i)/dynamodb:table:ReadCapacityUnits",
                       ["MinCapacity": 1, "MaxCapacity": 10], "{MinCapacity: 1, MaxCapacity: \(d ? 20 : 10)}", drifted: d) },
        { i, d in item("AWS::Lambda::Function", "bench-fn-\(i)", ["MemorySize": 256, "Timeout": 30, "ReservedConcurrentExecutions": 2],
                       "{MemorySize: \(d ? 512 : 256), Timeout: 30, ReservedConcurrentExecutions: 2}", drifted: d) },
        { i, d in item("AWS::Logs::LogGroup", String(format: "/bench/app/group-%04d", i), ["RetentionInDays": 30],
                       "{RetentionInDays: \(d ? 90 : 30)}", drifted: d) },
        { i, d in item("AWS::CloudWatch::Alarm", "bench-alarm-\(i)",
                       ["Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage", "Dimensions": ["QueueName": .string("q\(i)")],
                        "Threshold": 300, "EvaluationPeriods": 5, "AlarmActions": [.string("arn:aws:sns:us-east-1:123456789012:pager")]],
                       "{MetricName: ApproximateAgeOfOldestMessage, Dimensions: {QueueName: q\(i)}, Threshold: \(d ? 600 : 300), "
                       + "EvaluationPeriods: 5, AlarmActions: [\"arn:aws:sns:us-east-1:123456789012:pager\"]}", drifted: d) },
        { i, d in item("AWS::SecretsManager::RotationSchedule", "bench/secret-\(i)",
                       ["RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:bench-rotator",
                        "RotationRules": ["AutomaticallyAfterDays": 30]],
                       "{RotationRules: {AutomaticallyAfterDays: \(d ? 7 : 30)}}", drifted: d) },
        { i, d in item("AWS::KMS::Key", "alias/bench-key-\(i)", ["EnableKeyRotation": .bool(!d)], "{EnableKeyRotation: true}", drifted: d) },
        { i, d in item("AWS::RDS::DBInstance", "bench-db-\(i)", ["BackupRetentionPeriod": 7, "DeletionProtection": false],
                       "{BackupRetentionPeriod: \(d ? 14 : 7), DeletionProtection: false}", drifted: d) },
        { i, d in item("AWS::S3::Bucket", "bench-bucket-\(i)",
                       ["VersioningConfiguration": ["Status": "Enabled"],
                        "LifecycleConfiguration": ["Rules": [["Id": "expire", "Status": "Enabled", "ExpirationInDays": 30]]]],
                       "{VersioningConfiguration: {Status: Enabled}, LifecycleConfiguration: {Rules: [{Id: expire, Status: Enabled, "
                       + "ExpirationInDays: \(d ? 60 : 30)}]}}", drifted: d) },
        { i, d in item("AWS::Timestream::Table", "bench_db_\(i % 5)/table_\(i)",
                       ["RetentionProperties": ["MemoryStoreRetentionPeriodInHours": 24, "MagneticStoreRetentionPeriodInDays": 365]],
                       "{RetentionProperties: {MemoryStoreRetentionPeriodInHours: \(d ? 12 : 24)}}", drifted: d) },
        { i, d in item("AWS::Events::Rule", "bench-rule-\(i)", ["State": "ENABLED", "ScheduleExpression": "rate(1 hour)"],
                       "{State: \(d ? "DISABLED" : "ENABLED"), ScheduleExpression: rate(1 hour)}", drifted: d) },
        { i, d in item("AWS::SQS::Queue", "bench-queue-\(i)",
                       ["VisibilityTimeout": 30, "MessageRetentionPeriod": 345_600],
                       "{VisibilityTimeout: \(d ? 60 : 30), MessageRetentionPeriod: 345600}", drifted: d) },
        { i, d in item("AWS::WAFv2::WebACL", "bench-acl-\(i)",
                       ["DefaultAction": ["Allow": [:]],
                        "Rules": [["Name": "per-ip", "Statement": ["RateBasedStatement": ["Limit": 2_000]]]]],
                       "{DefaultAction: {Allow: {}}, Rules: [{Name: per-ip, "
                       + "Statement: {RateBasedStatement: {Limit: \(d ? 1000 : 2000)}}}]}",
                       drifted: d) },
        // Ten stages of an API each: the id's first part names the API the seeder creates (or reuses).
        { i, d in item("AWS::ApiGateway::Stage", "bench-api-\(i / 10)/v\(i % 10)",
                       ["MethodSettings": [["ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 100,
                                            "ThrottlingBurstLimit": 200]]],
                       "{MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: \(d ? 50 : 100), "
                       + "ThrottlingBurstLimit: 200}]}", drifted: d) },
        { i, d in item("AWS::ApiGatewayV2::Stage", "bench-http-\(i / 10)/v\(i % 10)",
                       ["DefaultRouteSettings": ["ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200]],
                       "{DefaultRouteSettings: {ThrottlingRateLimit: \(d ? 50 : 100), ThrottlingBurstLimit: 200}}",
                       drifted: d) },
        { i, d in item("AWS::Budgets::Budget", "bench-budget-\(i)",
                       ["BudgetLimit": ["Amount": 500, "Unit": "USD"], "TimeUnit": "MONTHLY"],
                       "{BudgetLimit: {Amount: \(d ? 750 : 500), Unit: USD}, TimeUnit: MONTHLY}", drifted: d) },
        { i, d in item("AWS::ElastiCache::ReplicationGroup", "bench-cache-\(i)",
                       ["SnapshotRetentionLimit": 1, "CacheNodeType": "cache.t4g.micro", "NumCacheClusters": 2],
                       "{SnapshotRetentionLimit: \(d ? 7 : 1), CacheNodeType: cache.t4g.micro, NumCacheClusters: 2}",
                       drifted: d) },
        { i, d in item("AWS::Lambda::Alias", "bench-fn-\(i):live",
                       ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 2]],
                       "{ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: \(d ? 4 : 2)}}", drifted: d) },
    ]

    /// `count` resources spread over the kinds; those `drifted` says differ from the desired state.
    public static func items(_ count: Int, drifted: (Int) -> Bool) -> [Item] {
        let perKind = count / kinds.count
        var items: [Item] = []
        for (k, kind) in kinds.enumerated() {
            let n = k < count % kinds.count ? perKind + 1 : perKind
            items += (0..<n).map { kind($0, drifted($0)) }
        }
        return items
    }
}
