import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Before a plan lowers a capacity it reads the last hour of the metric that says what the capacity
/// carries: a cut below the peak carries a guard, one above it none, and a metric with no data is said
/// as unknown, never as safe; one GetMetricData reads them all.
@Suite struct GuardTests {
    @Test func aCapacityCutBelowTheLastHoursPeakIsGuarded() async throws {
        let busy = uniqueName("guard-busy"), quiet = uniqueName("guard-quiet"), dark = uniqueName("guard-dark")
        for group in [busy, quiet, dark] {
            try await seeder().create("AWS::AutoScaling::AutoScalingGroup", id: group,
                                      ["MinSize": 0, "MaxSize": 20, "DesiredCapacity": 0])
        }
        // What Auto Scaling publishes with group metrics collection on: in-service instances a minute.
        for (group, peak) in [(busy, 16.0), (quiet, 8.0)] {
            try await Self.put("AWS/AutoScaling", "GroupInServiceInstances", [("AutoScalingGroupName", group)], peak)
        }
        let repo = try TempRepository.desiredState([busy, quiet, dark].map {
            "  - {type: AWS::AutoScaling::AutoScalingGroup, id: \($0), properties: {MaxSize: 12}}\n"
        }.joined())
        let recorder = try RequestRecorder()
        let plan = try repo.ballast(["plan", "--output", "json"], recorder.environment)
        #expect(plan.status == 2, "\(plan.stderr)")
        let changes = try JSON.parse(plan.stdout)["changes"]?.list ?? []
        let byId = Dictionary(changes.map { ($0["id"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byId[busy]?["guard"] == [
            "metric": "AWS/AutoScaling GroupInServiceInstances Maximum", "observed": 16, "window": "1h", "limit": 12,
        ], "\(plan.stdout)")
        #expect(byId[quiet] != nil && byId[quiet]?["guard"] == nil, "8 in service at the peak: 12 carries it")
        let unknown = try #require(byId[dark]?["guard"], "no data is unknown, not safe: \(byId[dark] ?? .null)")
        #expect(unknown["limit"] == 12 && (unknown["observed"] ?? .null) == .null, "\(unknown)")
        #expect(JSON.encode(unknown).contains("\"observed\":null"), "\(JSON.encode(unknown))")
        let reads = try Self.metricReads(recorder)
        #expect(reads == 1, "one GetMetricData for the three groups: \(reads)")
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")

        let text = try repo.ballast(["plan"]).stdout
        #expect(text.contains("! guard: AWS/AutoScaling GroupInServiceInstances Maximum reached 16 in the last 1h; "
            + "the new value 12 is below it"), "\(text)")
        #expect(text.contains("! guard: no data for AWS/AutoScaling GroupInServiceInstances Maximum in the last 1h"))

        // The comment marks the rows and says the load in the details; policies see `change.guard`.
        let comment = try repo.ballast(["plan", "--output", "markdown"]).stdout
        let rows = comment.split(separator: "\n").filter { $0.hasPrefix("| update") }
        #expect(rows.filter { $0.contains("⚠️ load") }.count == 2, "\(comment)")
        #expect(comment.contains(#"**Load**: AWS\/AutoScaling GroupInServiceInstances Maximum reached 16"#), "\(comment)")
        try repo.commit(["policies/load.yaml": """
            policies:
              - id: no-cut-below-load
                severity: deny
                on: change
                assert: "!has(change.guard)"
            """ + "\n"], message: "deny cuts below the load")
        // CloudWatch that cannot be reached: every cut is guarded as unknown, and the plan says why.
        let nowhere = ["AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"]
        let unreachable = try repo.ballast(["plan", "--output", "json"], nowhere)
        let unread = (try JSON.parse(unreachable.stdout)["changes"]?.list ?? []).compactMap { $0["guard"] }
        #expect(unread.count == 3 && unread.allSatisfy { ($0["observed"] ?? .null) == .null }, "\(unread)")
        #expect(unreachable.stderr.contains("the load of 3 capacity cut(s) in test (us-east-1) could not be read, "
            + "so it is unknown"), "\(unreachable.stderr)")

        let denied = try repo.ballast(["plan"])
        #expect(denied.status == 3, "\(denied.stdout)")
        #expect(denied.stdout.contains("Policies: 2 denied"), "\(denied.stdout)")
        // An apply reads the load again before the policies judge what it is about to write: nothing is written.
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 3, "\(apply.stdout)\n\(apply.stderr)")
        #expect(apply.stdout.contains("! guard: AWS/AutoScaling GroupInServiceInstances Maximum reached 16"),
                "\(apply.stdout)")
        let after = try JSON.parse(try repo.ballast(["drift", "--output", "json"]).stdout)
        let values = (after["environments"]?.list?.first?["resources"]?.list ?? []).flatMap {
            $0["differences"]?.list ?? []
        }.compactMap { $0["actual"] }
        #expect(values == [20, 20, 20], "every group keeps its MaxSize of 20: \(values)")
    }

    /// Each kind's capacity against its own metric, said in the capacity's units: DynamoDB's consumed units
    /// a second (a minute's Sum over 60), Lambda's concurrent executions (a reservation where there was none
    /// is a cut), an alias's provisioned concurrency, ECS's tasks the peak CPU fills at 100%, an HTTP API's
    /// requests a second against a default route that had no limit.
    @Test func eachKindsCapacityIsReadInItsOwnUnits() async throws {
        let table = uniqueName("guard-table"), function = uniqueName("guard-fn"), alias = uniqueName("guard-fn")
        let cluster = uniqueName("guard-cluster")
        try await seeder().create("AWS::DynamoDB::Table", id: table, [
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": ["ReadCapacityUnits": 100, "WriteCapacityUnits": 100],
        ])
        try await seeder().create("AWS::Lambda::Function", id: function, ["MemorySize": 256, "Timeout": 30])
        try await seeder().create("AWS::Lambda::Alias", id: alias + ":live",
                                  ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 20]])
        try await seeder().create("AWS::ECS::Service", id: "\(cluster)/web", ["DesiredCount": 10])
        try await seeder().create("AWS::ECS::Service", id: "\(cluster)/api", ["DesiredCount": 10])
        let stage = try await seeder().create("AWS::ApiGatewayV2::Stage", id: uniqueName("guard-http") + "/prod", [:])

        try await Self.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", [("TableName", table)], 3_000)
        try await Self.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", [("TableName", table)], 600)
        try await Self.put("AWS/Lambda", "ConcurrentExecutions", [("FunctionName", function)], 30)
        try await Self.put("AWS/Lambda", "ConcurrentExecutions",
                           [("FunctionName", alias), ("Resource", alias + ":live")], 12)
        try await Self.put("AWS/ECS", "CPUUtilization", [("ClusterName", cluster), ("ServiceName", "web")], 80)
        try await Self.put("AWS/ECS", "CPUUtilization", [("ClusterName", cluster), ("ServiceName", "api")], 50)
        let parts = stage.split(separator: "/").map(String.init)
        try await Self.put("AWS/ApiGateway", "Count", [("ApiId", parts[0]), ("Stage", parts[1])], 6_000)

        let repo = try TempRepository.desiredState("""
              - {type: AWS::DynamoDB::Table, id: \(table),
                 properties: {ProvisionedThroughput: {ReadCapacityUnits: 40, WriteCapacityUnits: 20}}}
              - {type: AWS::Lambda::Function, id: \(function), properties: {ReservedConcurrentExecutions: 10}}
              - {type: AWS::Lambda::Alias, id: "\(alias):live",
                 properties: {ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 15}}}
              - {type: AWS::ECS::Service, id: \(cluster)/web, properties: {DesiredCount: 6}}
              - {type: AWS::ECS::Service, id: \(cluster)/api, properties: {DesiredCount: 6}}
              - {type: AWS::ApiGatewayV2::Stage, id: "\(stage)",
                 properties: {DefaultRouteSettings: {ThrottlingRateLimit: 50}}}

            """)
        let recorder = try RequestRecorder()
        let plan = try repo.ballast(["plan", "--output", "json"], recorder.environment)
        #expect(plan.status == 2, "\(plan.stderr)")
        let guards = Dictionary((try JSON.parse(plan.stdout)["changes"]?.list ?? []).map {
            ("\($0["id"]?.string ?? "") \($0["call"]?.string ?? "")", $0["guard"] ?? .null)
        }, uniquingKeysWith: { a, _ in a })
        func expected(_ metric: String, _ observed: Double, _ limit: Double) -> Value {
            ["metric": .string(metric), "observed": .double(observed), "window": "1h", "limit": .double(limit)]
        }
        // 3,000 read units in the busiest minute are 50 a second; the write side's 10 a second fit 20.
        #expect(guards["\(table) dynamodb:UpdateTable"] == expected(
            "AWS/DynamoDB ConsumedReadCapacityUnits Sum per second", 50, 40), "\(guards)")
        #expect(guards["\(function) lambda:PutFunctionConcurrency"] == expected(
            "AWS/Lambda ConcurrentExecutions Maximum", 30, 10), "\(guards)")
        #expect(guards["\(alias):live lambda:PutProvisionedConcurrencyConfig"] == .null,
                "12 at the peak: 15 provisioned carries it \(guards)")
        // 80% of 10 tasks is 8 tasks at 100%: 6 is below; 50% is 5: 6 carries it.
        #expect(guards["\(cluster)/web ecs:UpdateService"] == expected(
            "AWS/ECS CPUUtilization Maximum as a count at 100%", 8, 6), "\(guards)")
        #expect(guards["\(cluster)/api ecs:UpdateService"] == .null, "\(guards)")
        #expect(guards["\(stage) apigateway:UpdateStage"] == expected(
            "AWS/ApiGateway Count Sum per second", 100, 50), "\(guards)")
        let reads = try Self.metricReads(recorder)
        #expect(reads == 1, "one GetMetricData for every capacity of the environment: \(reads)")
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")

        // `--guard-window` reads a shorter window: the last five minutes had no data, so all six cuts are
        // unknown, none safe.
        let recent = try repo.ballast(["plan", "--output", "json", "--guard-window", "5m"])
        let windows = (try JSON.parse(recent.stdout)["changes"]?.list ?? []).compactMap { $0["guard"] }
        let unknown = windows.allSatisfy { $0["window"] == "5m" && ($0["observed"] ?? .null) == .null }
        #expect(windows.count == 6 && unknown,
                "\(windows)")
        let wrong = try repo.ballast(["plan", "--guard-window", "20s"])
        #expect(wrong.status == 1 && wrong.stderr.contains("--guard-window takes a duration from 1m to 168h"),
                "\(wrong.status) \(wrong.stderr)")
        // `--dry-run-reads` says the most GetMetricData calls the cuts can add.
        let dry = try repo.ballast(["plan", "--dry-run-reads"])
        #expect(dry.stdout.contains("up to 1 cloudwatch:GetMetricData call(s) (one per environment and region "
            + "for up to 500 metrics)"), "\(dry.stdout)")
    }

    /// A REST API's metrics are named by the API's name, not the id the repository declares: one GetRestApi
    /// says it, once a cut needs it and once for all the API's stages, and `iam-policy` grants that call on
    /// that API alone. The stage's own rate is its `/*` `*` method setting's.
    @Test func aRESTStagesRateIsReadUnderItsAPIsName() async throws {
        let name = uniqueName("guard-rest")
        var stages: [String] = []
        for (stage, requests) in [("prod", 6_000.0), ("beta", 1_200.0)] {
            stages.append(try await seeder().create("AWS::ApiGateway::Stage", id: name + "/" + stage, [
                "MethodSettings": [["ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 1_000]],
            ]))
            try await Self.put("AWS/ApiGateway", "Count", [("ApiName", name), ("Stage", stage)], requests)
        }
        let repo = try TempRepository.desiredState(stages.map {
            "  - {type: AWS::ApiGateway::Stage, id: \"\($0)\", properties: "
                + "{MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 50}]}}\n"
        }.joined())
        let recorder = try RequestRecorder()
        let plan = try repo.ballast(["plan", "--output", "json"], recorder.environment)
        let guarded = (try JSON.parse(plan.stdout)["changes"]?.list ?? []).compactMap { $0["guard"] }
        // 6,000 requests in the busiest minute are 100 a second, above 50; beta's 20 a second are not.
        #expect(guarded == [["metric": "AWS/ApiGateway Count Sum per second", "observed": 100, "window": "1h",
                             "limit": 50]], "\(plan.stdout)\n\(plan.stderr)")
        let api = String(stages[0].split(separator: "/")[0])
        let lookups = try recorder.jsonLines.split(separator: "\n").filter { line in
            let request = try JSON.parse(String(line))
            return request["method"] == "GET" && request["target"]?.string == "/restapis/" + api
        }
        #expect(lookups.count == 1, "one GetRestApi for both stages: \(lookups.count)")
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")
        let policy = try repo.ballast(["iam-policy", "--for", "plan"]).stdout
        #expect(policy.contains("\"LoadGuardLookups\"") && policy.contains(
            "arn:aws:apigateway:us-east-1::/restapis/\(api)\""), "\(policy)")
    }

    /// A smaller ElastiCache node type is a cut only when its memory is less: the node types' `maxmemory`
    /// comes from one family's defaults (read once for the plan), and the memory used is the most any member
    /// cluster held (a replica's too), one metric a member.
    @Test func anElastiCacheNodeTypeIsCheckedAgainstTheMemoryItsMembersHeld() async throws {
        let full = uniqueName("guard-cache"), roomy = uniqueName("guard-cache"), small = uniqueName("guard-cache")
        let odd = uniqueName("guard-cache")
        for (group, type) in [(full, "cache.r7g.xlarge"), (roomy, "cache.r7g.xlarge"), (small, "cache.t4g.micro"),
                              (odd, "cache.r7g.xlarge")] {
            try await seeder().create("AWS::ElastiCache::ReplicationGroup", id: group,
                                      ["CacheNodeType": .string(type), "NumCacheClusters": 2])
        }
        let gib = 1_073_741_824.0
        for (member, used) in [(full + "-001", 6 * gib), (full + "-002", 14 * gib), (roomy + "-001", 4 * gib)] {
            try await Self.put("AWS/ElastiCache", "BytesUsedForCache", [("CacheClusterId", member)], used)
        }
        let repo = try TempRepository.desiredState([full, roomy, small].map {
            "  - {type: AWS::ElastiCache::ReplicationGroup, id: \($0), properties: {CacheNodeType: cache.r7g.large}}\n"
        }.joined() + "  - {type: AWS::ElastiCache::ReplicationGroup, id: \(odd), "
            + "properties: {CacheNodeType: cache.x9.large}}\n")
        let recorder = try RequestRecorder()
        let plan = try repo.ballast(["plan", "--output", "json"], recorder.environment)
        #expect(plan.status == 2, "\(plan.stderr)")
        let guards = Dictionary((try JSON.parse(plan.stdout)["changes"]?.list ?? []).map {
            ($0["id"]?.string ?? "", $0["guard"] ?? .null)
        }, uniquingKeysWith: { a, _ in a })
        // 14 GiB in a replica at the peak; cache.r7g.large's maxmemory is 13.07 GiB.
        #expect(guards[full] == ["metric": "AWS/ElastiCache BytesUsedForCache Maximum",
                                 "observed": .double(14 * gib), "window": "1h",
                                 "limit": .double(Double(Int64(13.07 * gib)))], "\(plan.stdout)\n\(plan.stderr)")
        #expect(guards[roomy] == .null, "4 GiB fit 13.07: \(guards)")
        #expect(guards[small] == .null, "a larger node type is no cut: \(guards)")
        // A node type the family's defaults do not list: whether it is smaller cannot be told, and the plan says so.
        #expect(guards[odd] == .null && plan.stderr.contains("whether test AWS::ElastiCache::ReplicationGroup \(odd) "
            + "(us-east-1)'s new CacheNodeType is smaller could not be told, so its load was not checked: "
            + "AWS's answer says no capacity for cache.x9.large"), "\(plan.stderr)")
        let bodies = try recorder.jsonLines.split(separator: "\n").map { line in
            let body = try JSON.parse(String(line))["body"]?.string.flatMap { Data(base64Encoded: $0) } ?? Data()
            return String(decoding: body, as: UTF8.self)
        }
        let defaults = bodies.filter { $0.contains("Action=DescribeEngineDefaultParameters") }
        #expect(defaults.count == 2 && defaults.allSatisfy { $0.contains("CacheParameterGroupFamily=redis7") },
                "one family's defaults, both pages of them, for both groups: \(defaults)")
        let metrics = bodies.filter { $0.contains("Action=GetMetricData") }
        #expect(metrics.count == 1 && metrics[0].contains("\(full)-002") && !metrics[0].contains(small),
                "one GetMetricData, a metric a member of the two cut groups: \(metrics)")
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")

        let text = try repo.ballast(["plan"]).stdout
        #expect(text.contains("! guard: AWS/ElastiCache BytesUsedForCache Maximum reached 15032385536 in the last "
            + "1h; the new node type's maxmemory 14033805639 is below it"), "\(text)")
        let policy = try repo.ballast(["iam-policy", "--for", "plan"]).stdout
        #expect(policy.contains("elasticache:DescribeEngineDefaultParameters"), "\(policy)")
        let dry = try repo.ballast(["plan", "--dry-run-reads"]).stdout
        #expect(dry.contains("up to 1 elasticache:DescribeEngineDefaultParameters")
                    && dry.contains("up to 4 elasticache:DescribeReplicationGroups"), "\(dry)")
    }

    /// The GetMetricData requests the recorder saw.
    static func metricReads(_ recorder: RequestRecorder) throws -> Int {
        try recorder.jsonLines.split(separator: "\n").filter { line in
            let body = try JSON.parse(String(line))["body"]?.string.flatMap { Data(base64Encoded: $0) } ?? Data()
            return String(decoding: body, as: UTF8.self).contains("Action=GetMetricData")
        }.count
    }

    /// One point of `value` 30 minutes ago, and half of it 50 and 10 minutes ago.
    static func put(_ namespace: String, _ metric: String, _ dimensions: [(String, String)],
                    _ value: Double) async throws {
        let client = AWSSetup(environment: MotoServer.shared.environment).client(region: "us-east-1")
        var data: [String: String] = ["Namespace": namespace]
        for (n, minutesAgo) in [50, 30, 10].enumerated() {
            let entry = "MetricData.member.\(n + 1)."
            data[entry + "MetricName"] = metric
            for (d, dimension) in dimensions.enumerated() {
                data[entry + "Dimensions.member.\(d + 1).Name"] = dimension.0
                data[entry + "Dimensions.member.\(d + 1).Value"] = dimension.1
            }
            data[entry + "Timestamp"] = Timestamp.iso8601(Date().addingTimeInterval(Double(-minutesAgo * 60)))
            data[entry + "Value"] = "\(minutesAgo == 30 ? value : value / 2)"
        }
        _ = try await client.query(.cloudWatch, "PutMetricData", data)
    }
}
