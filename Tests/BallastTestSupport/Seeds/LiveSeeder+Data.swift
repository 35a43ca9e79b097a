import BallastAWS
import BallastCore
import BallastKinds
import Foundation

/// Data and operations kinds: tables, logs, alarms, secrets, keys, databases, buckets, rules.
extension LiveSeeder {
    func dynamoDBTable(_ name: String, _ p: [String: Value]) async throws {
        var table: [String: Value] = [
            "TableName": .string(name),
            "AttributeDefinitions": .list([.map(["AttributeName": "id", "AttributeType": "S"])]),
            "KeySchema": .list([.map(["AttributeName": "id", "KeyType": "HASH"])]),
            "BillingMode": p["BillingMode"] ?? "PROVISIONED",
        ]
        if table["BillingMode"] == "PROVISIONED" {
            table["ProvisionedThroughput"] = p["ProvisionedThroughput"] ?? .map(["ReadCapacityUnits": .int(1), "WriteCapacityUnits": .int(1)])
        }
        try await tolerant { _ = try await client.json(.dynamodb, "CreateTable", .map(table)) }
        if let pitr = p["PointInTimeRecoverySpecification"] {
            _ = try await client.json(.dynamodb, "UpdateContinuousBackups", .map([
                "TableName": .string(name), "PointInTimeRecoverySpecification": pitr]))
        }
        if let ttl = p["TimeToLiveSpecification"], ttl["Enabled"] == .bool(true) {
            _ = try await client.json(.dynamodb, "UpdateTimeToLive", .map(["TableName": .string(name), "TimeToLiveSpecification": ttl]))
        }
    }

    func logGroup(_ name: String, _ p: [String: Value]) async throws {
        try await tolerant { _ = try await client.json(.logs, "CreateLogGroup", .map(["logGroupName": .string(name)])) }
        if let days = p["RetentionInDays"] {
            _ = try await client.json(.logs, "PutRetentionPolicy", .map(["logGroupName": .string(name), "retentionInDays": days]))
        }
    }

    func alarm(_ name: String, _ p: [String: Value]) async throws {
        var parameters = ["AlarmName": name]
        for key in ["Namespace", "MetricName", "Statistic", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
                    "ComparisonOperator", "TreatMissingData", "ActionsEnabled", "AlarmDescription"] {
            parameters[key] = p[key]?.plain
        }
        parameters["Namespace"] = parameters["Namespace"] ?? "Ballast/Seed"
        parameters["MetricName"] = parameters["MetricName"] ?? "Seed"
        parameters["Statistic"] = parameters["Statistic"] ?? "Average"
        parameters["Period"] = parameters["Period"] ?? "60"
        parameters["EvaluationPeriods"] = parameters["EvaluationPeriods"] ?? "1"
        parameters["Threshold"] = parameters["Threshold"] ?? "1"
        parameters["ComparisonOperator"] = parameters["ComparisonOperator"] ?? "GreaterThanThreshold"
        for list in ["AlarmActions", "OKActions", "InsufficientDataActions"] {
            parameters.merge(Self.members("\(list).member", p[list]?.list)) { a, _ in a }
        }
        let dimensions = p["Dimensions"].flatMap { value -> [String: Value]? in if case .map(let m) = value { return m } else { return nil } } ?? [:]
        for (index, key) in dimensions.keys.sorted().enumerated() {
            parameters["Dimensions.member.\(index + 1).Name"] = key
            parameters["Dimensions.member.\(index + 1).Value"] = dimensions[key]!.plain
        }
        _ = try await client.query(.cloudWatch, "PutMetricAlarm", parameters)
    }

    func rotationSchedule(_ name: String, _ p: [String: Value]) async throws {
        try await tolerant {
            _ = try await client.json(.secretsManager, "CreateSecret", .map(["Name": .string(name), "SecretString": "seed"]))
        }
        // moto invokes the rotation function, so it must exist (also for a later apply).
        if let lambda = p["RotationLambdaARN"]?.string { try await ensureFunction(String(lambda.split(separator: ":").last!)) }
        guard let rules = p["RotationRules"] else { return }
        var rotate: [String: Value] = ["SecretId": .string(name), "RotationRules": rules]
        rotate["RotationLambdaARN"] = p["RotationLambdaARN"]
        _ = try await client.json(.secretsManager, "RotateSecret", .map(rotate))
    }

    /// An `alias/...` id gets a new key behind that alias; any other id is ignored
    /// and the new key's id returned.
    func kmsKey(_ id: String, _ p: [String: Value]) async throws -> String {
        if id.hasPrefix("alias/") {
            let existing = try? await client.json(.kms, "DescribeKey", .map(["KeyId": .string(id)]))
            if existing != nil { return id }
        }
        let key = try await client.json(.kms, "CreateKey", .map(["Description": "ballast seed"]))
        guard let keyId = key["KeyMetadata"]?["KeyId"]?.string else { throw TestFailure("CreateKey gave no KeyId") }
        if id.hasPrefix("alias/") {
            _ = try await client.json(.kms, "CreateAlias", .map(["AliasName": .string(id), "TargetKeyId": .string(keyId)]))
        }
        if p["EnableKeyRotation"] == .bool(true) {
            var input: [String: Value] = ["KeyId": .string(keyId)]
            input["RotationPeriodInDays"] = p["RotationPeriodInDays"]
            _ = try await client.json(.kms, "EnableKeyRotation", .map(input))
        }
        return id.hasPrefix("alias/") ? id : keyId
    }

    func dbInstance(_ name: String, _ p: [String: Value]) async throws {
        var parameters = ["DBInstanceIdentifier": name, "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
                          "AllocatedStorage": "20", "MasterUsername": "seed", "MasterUserPassword": "seed-password-1"]
        for key in ["BackupRetentionPeriod", "PreferredBackupWindow", "PreferredMaintenanceWindow", "DeletionProtection"] {
            parameters[key] = p[key]?.plain
        }
        try await tolerant { _ = try await client.query(.rds, "CreateDBInstance", parameters) }
    }

    func bucket(_ name: String, _ p: [String: Value]) async throws {
        let location = client.region == "us-east-1" ? nil
            : "<CreateBucketConfiguration><LocationConstraint>\(client.region)</LocationConstraint></CreateBucketConfiguration>"
        try await tolerant { _ = try await client.restXML(.s3, "CreateBucket", method: "PUT", segments: [name], body: location) }
        if let status = p["VersioningConfiguration"]?["Status"]?.string {
            _ = try await client.restXML(.s3, "PutBucketVersioning", method: "PUT", segments: [name], query: [("versioning", "")],
                                         body: "<VersioningConfiguration><Status>\(status)</Status></VersioningConfiguration>")
        }
        if let rules = p["LifecycleConfiguration"]?["Rules"]?.list, !rules.isEmpty {
            _ = try await client.restXML(.s3, "PutBucketLifecycleConfiguration", method: "PUT", segments: [name],
                                         query: [("lifecycle", "")],
                                         body: S3BucketKind.lifecycleXML(rules))
        }
    }

    func timestreamTable(_ id: String, _ p: [String: Value]) async throws {
        let parts = id.split(separator: "/").map(String.init)
        // moto's CreateDatabase replaces an existing database, tables and all: look first, once per
        // database and server, so two tables seeded at once cannot both create it (the second
        // creation dropped the first's table: a resource the scale tests then found DELETED).
        let database = Value.map(["DatabaseName": .string(parts[0])])
        let server = client.endpoints.endpoint(for: .timestreamWrite, region: client.region).url
        try await TimestreamDatabases.shared.ensure(server + "|" + parts[0]) { [client] in
            if (try? await client.json(.timestreamWrite, "DescribeDatabase", database)) == nil {
                try await tolerant { _ = try await client.json(.timestreamWrite, "CreateDatabase", database) }
            }
        }
        var table: [String: Value] = ["DatabaseName": .string(parts[0]), "TableName": .string(parts[1])]
        table["RetentionProperties"] = p["RetentionProperties"]
        try await tolerant { _ = try await client.json(.timestreamWrite, "CreateTable", .map(table)) }
    }

    func eventsRule(_ name: String, _ p: [String: Value]) async throws {
        var rule: [String: Value] = ["Name": .string(name), "ScheduleExpression": p["ScheduleExpression"] ?? "rate(1 hour)"]
        rule["State"] = p["State"]
        _ = try await client.json(.events, "PutRule", .map(rule))
    }
}

/// Each Timestream database is made once, however many of its tables are seeded at once.
actor TimestreamDatabases {
    static let shared = TimestreamDatabases()
    private var made: [String: Task<Void, any Error>] = [:]

    func ensure(_ key: String, _ make: @escaping @Sendable () async throws -> Void) async throws {
        if let task = made[key] { return try await task.value }
        let task = Task { try await make() }
        made[key] = task
        try await task.value
    }
}

extension LiveSeeder {
    /// CreateQueue, then its attributes set (so seeding again over an existing queue sets them too).
    /// A dead-letter queue the redrive policy names is created first: SQS refuses one that is not there.
    func sqsQueue(_ name: String, _ p: [String: Value]) async throws {
        if let target = p["RedrivePolicy"]?["deadLetterTargetArn"]?.string,
           let dlq = target.split(separator: ":").last.map(String.init) {
            try await tolerant { _ = try await client.json(.sqs, "CreateQueue", .map(["QueueName": .string(dlq)])) }
        }
        try await tolerant { _ = try await client.json(.sqs, "CreateQueue", .map(["QueueName": .string(name)])) }
        var attributes: [String: Value] = [:]
        for (key, value) in p {
            attributes[key] = .string(key == "RedrivePolicy" ? JSON.encode(value) : value.plain)
        }
        guard !attributes.isEmpty else { return }
        let url = try await client.json(.sqs, "GetQueueUrl", .map(["QueueName": .string(name)]))["QueueUrl"] ?? .null
        _ = try await client.json(.sqs, "SetQueueAttributes", .map(["QueueUrl": url, "Attributes": .map(attributes)]))
    }
}

extension LiveSeeder {
    /// A REGIONAL web ACL named `name` (or the ACL an id `NAME|ID|SCOPE` names) with the rules the
    /// properties give, each completed as a template would: a priority, a rate-based statement
    /// aggregating by IP (a statement of another type is kept as given), CloudWatch metrics. Returns
    /// `NAME|ID|REGIONAL`. Seeding again over an
    /// existing ACL of that name updates it.
    func wafWebACL(_ id: String, _ p: [String: Value]) async throws -> String {
        let name = String(id.split(separator: "|").first ?? "")
        let rules: [Value] = (p["Rules"]?.list ?? []).enumerated().map { index, rule in
            let ruleName = rule["Name"] ?? .string("rule-\(index)")
            var rate = rule["Statement"]?["RateBasedStatement"]?.map ?? [:]
            rate["Limit"] = rate["Limit"] ?? 2_000
            rate["AggregateKeyType"] = rate["AggregateKeyType"] ?? "IP"
            let sampled = rule["VisibilityConfig"]?["SampledRequestsEnabled"] ?? true
            let statement: Value = rule["Statement"]?["RateBasedStatement"] == nil && rule["Statement"] != nil
                ? rule["Statement"]! : ["RateBasedStatement": .map(rate)]
            return .map(["Name": ruleName, "Priority": .int(index), "Action": rule["Action"] ?? ["Block": [:]],
                         "Statement": statement,
                         "VisibilityConfig": ["SampledRequestsEnabled": sampled, "CloudWatchMetricsEnabled": true,
                                              "MetricName": ruleName]])
        }
        let document: [String: Value] = [
            "Name": .string(name), "Scope": "REGIONAL", "DefaultAction": p["DefaultAction"] ?? ["Allow": [:]],
            "Rules": .list(rules),
            "VisibilityConfig": ["SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true,
                                 "MetricName": .string(name)],
        ]
        do {
            let created = try await client.json(.wafv2, "CreateWebACL", .map(document))
            return "\(name)|\(created["Summary"]?["Id"]?.string ?? "")|REGIONAL"
        } catch let error as AWSError where error.code == "WAFDuplicateItemException" {
            let listed = try await client.json(.wafv2, "ListWebACLs", .map(["Scope": "REGIONAL", "Limit": 100]))
            let summaries = listed["WebACLs"]?.list ?? []
            guard let aclId = summaries.first(where: { $0["Name"]?.string == name })?["Id"]?.string else { throw error }
            let key: [String: Value] = ["Name": .string(name), "Scope": "REGIONAL", "Id": .string(aclId)]
            let current = try await client.json(.wafv2, "GetWebACL", .map(key))
            var update = document.merging(key) { $1 }
            update["LockToken"] = current["LockToken"]
            _ = try await client.json(.wafv2, "UpdateWebACL", .map(update))
            return "\(name)|\(aclId)|REGIONAL"
        }
    }
}

extension LiveSeeder {
    /// A stage of a REST API: `API/STAGE` where API is an existing API's id, or the name of a new API
    /// to create (API Gateway picks its id). Its method settings set through UpdateStage, as
    /// ballast writes them. Returns `RESTAPIID/STAGE`.
    func apiGatewayStage(_ id: String, _ p: [String: Value]) async throws -> String {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        let (first, stage) = (parts[0], parts.count > 1 ? parts[1] : "prod")
        // One API per name and server, however many of its stages are seeded at once.
        let server = client.endpoints.endpoint(for: .apiGateway, region: client.region).url
        let api = try await RestApis.shared.id(server + "|" + first) { [client] in
            let existing = try? await client.restJSON(.apiGateway, "GetRestApi", method: "GET",
                                                      segments: ["restapis", first])
            if existing != nil { return first }
            let created = try await client.restJSON(.apiGateway, "CreateRestApi", method: "POST",
                                                    segments: ["restapis"], body: ["name": .string(first)])
            return created["id"]?.string ?? ""
        }
        try await tolerant {
            _ = try await client.restJSON(.apiGateway, "CreateStage", method: "POST",
                                          segments: ["restapis", api, "stages"],
                                          body: ["stageName": .string(stage), "deploymentId": "seeded"])
        }
        let operations = (p["MethodSettings"]?.list ?? []).flatMap(ApiGatewayStageKind.patchOperations)
        if !operations.isEmpty {
            _ = try await client.restJSON(.apiGateway, "UpdateStage", method: "PATCH",
                                          segments: ["restapis", api, "stages", stage],
                                          body: ["patchOperations": .list(operations)])
        }
        return "\(api)/\(stage)"
    }
}

/// Each REST API the seeder names is made once: its id, by server and name.
actor RestApis {
    static let shared = RestApis()
    private var made: [String: Task<String, any Error>] = [:]

    func id(_ key: String, _ make: @escaping @Sendable () async throws -> String) async throws -> String {
        if let task = made[key] { return try await task.value }
        let task = Task { try await make() }
        made[key] = task
        return try await task.value
    }
}

extension LiveSeeder {
    /// A monthly cost budget (the stand-in's, see `BudgetsStandIn`) with the limit, period and
    /// notifications the properties give; seeding again over one replaces it.
    func budget(_ name: String, _ p: [String: Value]) async throws {
        let client = client.inRegion("us-east-1")
        let limit = p["BudgetLimit"] ?? ["Amount": 100, "Unit": "USD"]
        let budget: Value = ["BudgetName": .string(name), "BudgetType": "COST", "TimeUnit": p["TimeUnit"] ?? "MONTHLY",
                             "BudgetLimit": ["Amount": .string(limit["Amount"]?.description ?? "100"),
                                             "Unit": limit["Unit"] ?? "USD"]]
        let account = Value.string(self.account)
        _ = try? await client.json(.budgets, "DeleteBudget", .map(["AccountId": account, "BudgetName": .string(name)]))
        _ = try await client.json(.budgets, "CreateBudget", .map([
            "AccountId": account, "Budget": budget,
            "NotificationsWithSubscribers": p["NotificationsWithSubscribers"] ?? .list([]),
        ]))
    }
}

extension LiveSeeder {
    /// A stage of an HTTP API: `API/STAGE` where API is an existing API's id or the name of a new
    /// one (API Gateway picks its id), with the properties' settings in GetStage's camel case.
    /// Returns `APIID/STAGE`.
    func apiGatewayV2Stage(_ id: String, _ p: [String: Value]) async throws -> String {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        let (first, stage) = (parts[0], parts.count > 1 ? parts[1] : "prod")
        let server = client.endpoints.endpoint(for: .apiGatewayV2, region: client.region).url
        let api = try await RestApis.shared.id("v2|" + server + "|" + first) { [client] in
            let existing = try? await client.restJSON(.apiGatewayV2, "GetApi", method: "GET",
                                                      segments: ["v2", "apis", first])
            if existing != nil { return first }
            let created = try await client.restJSON(.apiGatewayV2, "CreateApi", method: "POST",
                                                    segments: ["v2", "apis"],
                                                    body: ["name": .string(first), "protocolType": "HTTP"])
            return created["apiId"]?.string ?? ""
        }
        var body: [String: Value] = ["stageName": .string(stage)]
        body["defaultRouteSettings"] = p["DefaultRouteSettings"].map(ApiGatewayV2StageKind.camelCased)
        if case .map(let routes)? = p["RouteSettings"] {
            body["routeSettings"] = .map(routes.mapValues(ApiGatewayV2StageKind.camelCased))
        }
        body["accessLogSettings"] = p["AccessLogSettings"].map(ApiGatewayV2StageKind.camelCased)
        try await tolerant {
            _ = try await client.restJSON(.apiGatewayV2, "CreateStage", method: "POST",
                                          segments: ["v2", "apis", api, "stages"], body: .map(body))
        }
        return "\(api)/\(stage)"
    }
}

extension LiveSeeder {
    /// A cluster-mode-disabled replication group (the ElastiCache stand-in's) with the properties'
    /// node type, clusters, failover and snapshots.
    func replicationGroup(_ id: String, _ p: [String: Value]) async throws {
        var parameters = ["ReplicationGroupId": id, "ReplicationGroupDescription": "seeded", "Engine": "redis",
                          "CacheNodeType": p["CacheNodeType"]?.string ?? "cache.t4g.micro"]
        let replicas = (p["ReplicasPerNodeGroup"]?.int).map { Value.int($0 + 1) }
        parameters["NumCacheClusters"] = (p["NumCacheClusters"] ?? replicas).map(\.plain)
        parameters["SnapshotRetentionLimit"] = p["SnapshotRetentionLimit"]?.plain
        parameters["SnapshotWindow"] = p["SnapshotWindow"]?.plain
        parameters["AutomaticFailoverEnabled"] = p["AutomaticFailoverEnabled"]?.plain
        try await tolerant { _ = try await client.query(.elastiCache, "CreateReplicationGroup", parameters) }
    }
}
