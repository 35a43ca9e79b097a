import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `--dry-run-reads`: the calls a run makes, known before any is made, and the run
/// then makes exactly those (counted by a proxy in front of moto).
@Suite struct ReadPlanTests {
    @Test func thePlannedCallsAreTheCallsMade() async throws {
        var lines: [String] = []
        for folder in ["a", "b"] {
            let prefix = "/ballast/" + uniqueName("plan-" + folder) + "/"
            for index in 0..<3 {
                try await seeder().create("AWS::Logs::LogGroup", id: prefix + "\(index)", ["RetentionInDays": 30])
                lines.append(
                    "  - {type: AWS::Logs::LogGroup, id: \(prefix)\(index), properties: {RetentionInDays: 30}}")
            }
        }
        let alarm = uniqueName("plan-alarm"), table = uniqueName("plan-table")
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, ["AlarmDescription": "on-call"])
        try await seeder().create("AWS::DynamoDB::Table", id: table, ["BillingMode": "PAY_PER_REQUEST"])
        lines.append("  - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {AlarmDescription: on-call}}")
        lines.append("  - {type: AWS::DynamoDB::Table, id: \(table), properties: {BillingMode: PAY_PER_REQUEST, "
            + "PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: false}}}")
        let repo = try TempRepository.desiredState(lines.joined(separator: "\n") + "\n",
                                                   environment: "region: us-east-1\naccount: \"123456789012\"\n")
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(planned.status == 0)
        #expect(planned.stdout.hasPrefix("Reads planned (no call made): 6 calls for 8 resources\n"),
            "\(planned.stdout)")
        for line in ["  logs:DescribeLogGroups", "  cloudwatch:DescribeAlarms", "  dynamodb:DescribeTable",
                     "  dynamodb:DescribeContinuousBackups", "  sts:GetCallerIdentity"] {
            #expect(planned.stdout.contains(line), "\(line)")
        }

        let counter = try LoopbackHTTPServer { request in
            LoopbackHTTPServer.forward(request, toPort: MotoServer.shared.port).map { .raw($0) } ?? .drop
        }
        let drift = try repo.ballast(["drift"], ["AWS_ENDPOINT_URL": counter.url])
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
        #expect(counter.requestCount == 6)
    }

    /// A function is read with one GetFunction (Lambda's quotas page: 100/s of its own), not
    /// GetFunctionConfiguration and GetFunctionConcurrency from the 15/s control-plane pool.
    @Test func aFunctionIsReadWithOneGetFunctionAtItsOwnQuota() async throws {
        let function = uniqueName("plan-fn")
        try await seeder().create("AWS::Lambda::Function", id: function, ["MemorySize": 256, "Timeout": 30,
                                                                            "ReservedConcurrentExecutions": 3])
        let repo = try TempRepository.desiredState("  - {type: AWS::Lambda::Function, id: \(function), "
            + "properties: {MemorySize: 256, Timeout: 30, ReservedConcurrentExecutions: 3}}\n")
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(planned.stdout.contains("  lambda:GetFunction "), "\(planned.stdout)")
        #expect(!planned.stdout.contains("GetFunctionConfiguration"))
        #expect(!planned.stdout.contains("GetFunctionConcurrency"))
        let paths = Locked<[String]>([])
        let port = MotoServer.unauthenticated.port  // where the tests' Lambda lives
        let counter = try LoopbackHTTPServer { request in
            paths.update { $0.append(request.method + " " + request.path) }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
        let drift = try repo.ballast(["drift"], ["AWS_ENDPOINT_URL_LAMBDA": counter.url])
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
        #expect(paths.current == ["GET /2015-03-31/functions/\(function)"], "\(paths.current)")
    }

    /// A database's Timestream tables are read with ListTables, 20 a page (Timestream's List and
    /// Describe calls share 5 a second), not DescribeTable each: 22 declared tables, 21 live, one
    /// drifted, one gone, in at most the 2 calls planned.
    @Test func timestreamTablesAreListedTwentyAPage() async throws {
        let database = uniqueName("plan_ts").replacingOccurrences(of: "-", with: "_")
        var lines: [String] = []
        for index in 0..<22 {
            let hours = index == 7 ? 48 : 24
            if index < 21 {
                let retention: Value = .map(["MemoryStoreRetentionPeriodInHours": .int(hours),
                                             "MagneticStoreRetentionPeriodInDays": 365])
                try await seeder().create("AWS::Timestream::Table", id: "\(database)/t\(index)",
                                          ["RetentionProperties": retention])
            }
            lines.append("  - {type: AWS::Timestream::Table, id: \(database)/t\(index), properties: "
                + "{RetentionProperties: {MemoryStoreRetentionPeriodInHours: 24}}}")
        }
        let repo = try TempRepository.desiredState(lines.joined(separator: "\n") + "\n")
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(
            planned.stdout.contains("  timestream:ListTables                             2\n"), "\(planned.stdout)")
        #expect(!planned.stdout.contains("DescribeTable"), "\(planned.stdout)")
        let (drift, targets) = try Self.driftCountingOperations(repo)
        // AWS answers 20 a page; moto answers every table in one.
        #expect(Set(targets) == ["Timestream_20181101.ListTables"] && targets.count <= 2, "\(targets)")
        let summary = try JSON.parse(drift.stdout)["summary"]
        #expect(summary?["modified"] == .int(1) && summary?["inSync"] == .int(20), "\(drift.stdout.prefix(800))")
        #expect(drift.stdout.contains("\(database)/t7") && drift.stdout.contains("\(database)/t21"))
    }

    /// `ballast drift --output json` through a proxy that notes each call's JSON target (or path).
    static func driftCountingOperations(_ repo: TempRepository) throws -> (Run.Result, [String]) {
        let targets = Locked<[String]>([])
        let counter = try LoopbackHTTPServer { request in
            targets.update { $0.append(request.headers["x-amz-target"] ?? request.path) }
            return LoopbackHTTPServer.forward(request, toPort: MotoServer.shared.port).map { .raw($0) } ?? .drop
        }
        defer { counter.stop() }
        let drift = try repo.ballast(["drift", "--output", "json"], ["AWS_ENDPOINT_URL": counter.url])
        return (drift, targets.current)
    }

    /// A bus's EventBridge rules are read with ListRules, 100 a page (EventBridge's calls share 50
    /// a second), not DescribeRule each: three declared, two live (one drifted), one gone.
    @Test func eventBridgeRulesAreListedAHundredAPage() async throws {
        let prefix = uniqueName("plan-rule")
        try await seeder().create("AWS::Events::Rule", id: prefix + "-a", ["State": "ENABLED"])
        try await seeder().create("AWS::Events::Rule", id: prefix + "-b", ["State": "DISABLED"])
        let lines = ["a", "b", "c"].map {
            "  - {type: AWS::Events::Rule, id: \(prefix)-\($0), properties: {State: ENABLED}}"
        }
        let repo = try TempRepository.desiredState(lines.joined(separator: "\n") + "\n")
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(
            planned.stdout.contains("  events:ListRules                                  1\n"), "\(planned.stdout)")
        #expect(!planned.stdout.contains("DescribeRule"), "\(planned.stdout)")
        let (drift, targets) = try Self.driftCountingOperations(repo)
        #expect(Set(targets) == ["AWSEvents.ListRules"], "\(targets)")
        let summary = try JSON.parse(drift.stdout)["summary"]
        #expect(summary?["modified"] == .int(1) && summary?["inSync"] == .int(1), "\(drift.stdout.prefix(800))")
        #expect(drift.stdout.contains("\(prefix)-c"))
    }

    /// The read plan says the least time the rates allow (two listings at 0.5/s after a burst of 1:
    /// 2 s); a malformed BALLAST_API_RATES is refused before anything runs.
    @Test func theRatesSayTheLeastTimeAndAMalformedOneIsRefused() throws {
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: /plan/a/x, properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: /plan/b/y, properties: {RetentionInDays: 30}}

            """)
        let planned = try repo.ballast(["drift", "--dry-run-reads"], ["BALLAST_API_RATES": "logs=0.5/1"])
        #expect(planned.status == 0)
        #expect(
            planned.stdout.contains("  logs:DescribeLogGroups                            2\n"), "\(planned.stdout)")
        #expect(planned.stdout.contains("At ballast's request rates (BALLAST_API_RATES), at least 2.0 s\n"))
        let userRate = "  logs                              0.5/s, burst 1        BALLAST_API_RATES\n"
        #expect(planned.stdout.contains(userRate), "\(planned.stdout)")
        let refused = try repo.ballast(["drift"], ["BALLAST_API_RATES": "logs=fast"])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains(
            "BALLAST_API_RATES: 'logs=fast': the rate is requests per second from 0.1 to 50000"),
                "\(refused.stderr)")
    }

    /// Each rate says where its number comes from: AWS's documented quota (with the page), the
    /// adaptive start where AWS publishes none, or the user's BALLAST_API_RATES.
    @Test func eachRateSaysWhereItsNumberComesFrom() throws {
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: /plan/a/x, properties: {RetentionInDays: 30}}
              - {type: AWS::AutoScaling::AutoScalingGroup, id: web, properties: {MaxSize: 3}}
              - {type: AWS::DynamoDB::Table, id: orders, properties: {BillingMode: PAY_PER_REQUEST}}

            """)
        let planned = try repo.ballast(["drift", "--dry-run-reads"], ["BALLAST_API_RATES": "dynamodb=100"])
        #expect(planned.status == 0, "\(planned.stderr)")
        let rates = planned.stdout.components(separatedBy: "Request rates").last ?? ""
        #expect(rates.contains("  logs:DescribeLogGroups            9.5/s, burst 5        "
            + "AWS's documented quota (CloudWatch Logs quotas)\n"), "\(planned.stdout)")
        #expect(rates.contains("  autoscaling                       100/s, burst 50       "
            + "ballast's adaptive start (AWS publishes no rate)\n"), "\(planned.stdout)")
        #expect(rates.contains("  dynamodb                          100/s, burst 50       BALLAST_API_RATES\n"),
                "\(planned.stdout)")
    }

    /// A stack refs point into is listed once a run, for the refs and for ownership alike.
    @Test func aStackIsListedOnceForRefsAndOwnership() async throws {
        let stack = uniqueName("plan-stack"), group = "/ballast/" + uniqueName("plan-stacked")
        let template = #"{"Resources": {"AppLogs": {"Type": "AWS::Logs::LogGroup", "#
            + #""Properties": {"LogGroupName": "\#(group)", "RetentionInDays": 30}}}}"#
        _ = try await seeder().client.query(.cloudFormation, "CreateStack",
                                           ["StackName": stack, "TemplateBody": template])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, ref: {stack: \(stack), logicalId: AppLogs}, properties: "
                + "{RetentionInDays: 30}}\n"
        )
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(planned.stdout.hasPrefix("Reads planned (no call made): 4 calls for 1 resources\n"),
                "\(planned.stdout)")
        #expect(planned.stdout.contains("  cloudformation:ListStackResources"))
        let counter = try LoopbackHTTPServer { request in
            LoopbackHTTPServer.forward(request, toPort: MotoServer.shared.port).map { .raw($0) } ?? .drop
        }
        let drift = try repo.ballast(["drift"], ["AWS_ENDPOINT_URL": counter.url])
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
        #expect(counter.requestCount == 4)
    }
}
