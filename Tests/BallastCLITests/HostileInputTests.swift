import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Repository text ballast must bound and refuse before any AWS call (README "Hostile input"):
/// schema patterns and `$ref` fan-out, numbers YAML has and AWS does not, keyed lists that name
/// an entry twice, Budgets' ranges, empty property names. Each runs `validate` under `timeout`, so
/// a binary that hangs fails the test instead of stopping the suite.
@Suite struct HostileInputTests {
    /// `ballast validate` killed after `seconds` (exit 137 says it hung), its time and peak memory
    /// (GNU time's maximum resident set, on the last line of standard error) printed under `label`.
    static func validate(_ repo: TempRepository, seconds: Int = 60, label: String? = nil) throws -> Run.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let started = ContinuousClock.now
        let run = try Run.process(
            "/usr/bin/time",
            [
                "-f", "peak-rss-kib %M", "/usr/bin/timeout", "-s", "KILL",
                String(seconds), Run.ballastBinary, "validate", "--repo", repo.path,
            ],
            environment: environment)
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        let peak = lines.last { $0.hasPrefix("peak-rss-kib ") }.map { String($0.dropFirst("peak-rss-kib ".count)) }
        if let label {
            print("\(label): \(ContinuousClock.now - started), peak memory \(peak ?? "?") KiB")
        }
        return run
    }

    static func repository(_ resources: String, files: [String: String] = [:]) throws -> TempRepository {
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment,
                             "desired-state/test/resources.yaml": "resources:\n" + resources]
            .merging(files) { _, new in new }, message: "desired")
        return repo
    }

    static let integration = "arn:aws:rds:us-east-1:123456789012:integration:abc"

    /// AWS's own `AWS::RDS::Integration` schema: `IntegrationName` is `^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$`, which
    /// a backtracking engine takes minutes over for 25 characters ending in `_x`. Matched in linear time, the
    /// name is refused at once, and a good one passes.
    @Test func anAWSPatternThatBacktracksIsMatchedInLinearTime() throws {
        let schema = try CfnLintSchemas.text(for: "AWS::RDS::Integration")
        let name = String(repeating: "a", count: 23) + "_x"
        let repo = try Self.repository("""
              - {type: AWS::RDS::Integration, id: "\(Self.integration)", properties: {IntegrationName: \(name)}}

            """, files: [RegistrySchema.path(for: "AWS::RDS::Integration"): schema])
        let run = try Self.validate(repo, label: "validate with the RDS Integration pattern on a 25-character name")
        #expect(run.status == 1, "exit \(run.status) (124/137: it hung)\n\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("desired-state/test/resources.yaml:2:")
            && run.stdout.contains("IntegrationName must be a string (1 to 64 characters, matching "
                + "^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$)"), "\(run.stdout)")

        let good = try Self.repository("""
              - {type: AWS::RDS::Integration, id: "\(Self.integration)", properties: {IntegrationName: etl-to-redshift}}

            """, files: [RegistrySchema.path(for: "AWS::RDS::Integration"): schema])
        let valid = try Self.validate(good)
        #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
    }

    /// `^(a+)+$` on twenty `a`s and a `b`: the classic catastrophic pattern, in a schema of the repository's.
    @Test func aCatastrophicPatternCannotHang() throws {
        let repo = try Self.repository("""
              - {type: Test::Hostile::Pattern, id: one, properties: {Name: \(String(repeating: "a", count: 30))b}}

            """, files: [RegistrySchema.path(for: "Test::Hostile::Pattern"): Self.schema(
                typeName: "Test::Hostile::Pattern", definitions: "{}",
                properties: #""Name": {"type": "string", "pattern": "^(a+)+$"}"#)])
        let run = try Self.validate(repo, label: "validate with ^(a+)+$ on 31 characters")
        #expect(run.status == 1, "exit \(run.status) (124/137: it hung)\n\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("Name must be a string (matching ^(a+)+$)"), "\(run.stdout)")
    }

    /// A pattern a linear-time engine cannot match (lookaround) is not checked, and a note says so once for
    /// the schema: never a pass the user cannot see, never a refusal ballast guessed at.
    @Test func aPatternThatCannotBeMatchedInLinearTimeIsSaidNotGuessed() throws {
        let repo = try Self.repository("""
              - {type: Test::Hostile::Look, id: one, properties: {Name: "aws:reserved", Other: b}}

            """, files: [RegistrySchema.path(for: "Test::Hostile::Look"): Self.schema(
                typeName: "Test::Hostile::Look", definitions: "{}",
                properties: #""Name": {"type": "string", "pattern": "^(?!aws:).*$"}, "#
                    + #""Other": {"type": "string", "pattern": "^(a)\\1$"}"#)])
        let run = try Self.validate(repo)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(
            run.stderr.contains(
                "note: schemas/Test-Hostile-Look.json: 2 patterns not checked (ballast matches "
                    + "patterns in linear time, with no back-reference, lookaround or inline flag); the first, "),
            "\(run.stderr)")
    }

    /// A schema whose definitions each refer four times to the next: 4^30 paths if unrolled, 30 definitions
    /// converted once each when shared. validate answers, and what the schema says is still checked.
    @Test func aRefFanOutIsConvertedOnce() throws {
        var definitions: [String] = []
        for level in 0..<30 {
            let reference = "{\"$ref\": \"" + "#/definitions/D" + String(level + 1) + "\"}"
            let next = level == 29 ? "{\"type\": \"integer\", \"maximum\": 5}" : reference
            definitions.append(
                "\"D\(level)\": {\"type\": \"object\", \"properties\": {\"a\": \(next), \"b\": \(next), "
                    + "\"c\": \(next), \"d\": \(next)}}")
        }
        // Thirty levels down the path a, b, c, d, a, ... to the integer.
        func nested(_ leaf: Int) -> String {
            (0..<30).reversed().reduce(String(leaf)) { inner, level in "{\(["a", "b", "c", "d"][level % 4]): \(inner)}"
            }
        }
        let repo = try Self.repository("""
              - {type: Test::Hostile::FanOut, id: one, properties: {Root: \(nested(1))}}
              - {type: Test::Hostile::FanOut, id: two, properties: {Root: \(nested(9))}}

            """, files: [RegistrySchema.path(for: "Test::Hostile::FanOut"): Self.schema(
                typeName: "Test::Hostile::FanOut", definitions: "{" + definitions.joined(separator: ", ") + "}",
                properties: ##""Root": {"$ref": "#/definitions/D0"}"##)])
        let run = try Self.validate(repo, label: "validate with a 4-way $ref fan-out 30 deep")
        #expect(run.status == 1, "exit \(run.status) (124/137: it hung)\n\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("resources.yaml:3:") && run.stdout.contains("must be an integer <= 5, found "
            + "integer 9"), "\(run.stdout)")
        #expect(!run.stdout.contains("resources.yaml:2:"), "\(run.stdout)")
    }

    /// AWS's largest recursive schemas, unmodified, with one updatable property each: validate reads them
    /// in a fraction of a second (printed), and a schema no resource uses is not read at all.
    @Test func awsLargestSchemasAreReadQuicklyAndUnusedOnesNotAtAll() throws {
        let types = ["AWS::IoTTwinMaker::ComponentType", "AWS::IoTTwinMaker::Entity", "AWS::WAFv2::RuleGroup"]
        var files: [String: String] = [:]
        for type in types { files[RegistrySchema.path(for: type)] = try CfnLintSchemas.text(for: type) }
        files["schemas/AWS-Unused-Thing.json"] = "{ not JSON at all"
        let repo = try Self.repository("""
              - {type: AWS::IoTTwinMaker::ComponentType, id: "ws|comp", properties: {Description: twin}}
              - {type: AWS::IoTTwinMaker::Entity, id: "ws|entity", properties: {Description: twin}}
              - {type: AWS::WAFv2::RuleGroup, id: "rg|id|REGIONAL", properties: {Description: rules}}

            """, files: files)
        let run = try Self.validate(repo, label: "validate with AWS's IoTTwinMaker ComponentType and Entity and "
            + "WAFv2 RuleGroup schemas")
        #expect(run.status == 0, "exit \(run.status)\n\(run.stdout)\(run.stderr)")
        #expect(!run.stdout.contains("AWS-Unused-Thing"), "\(run.stdout)")
    }

    /// YAML's `.nan`, `.inf` and `-.inf` are numbers to YAML and to no AWS API: refused at their line and
    /// column wherever a number goes, in a value and in a range.
    @Test func nanAndInfinitiesAreRefused() throws {
        let repo = try Self.repository("""
              - type: AWS::ApiGatewayV2::Stage
                id: a1b2c3/prod
                properties:
                  DefaultRouteSettings: {ThrottlingRateLimit: .nan}
              - type: AWS::CloudWatch::Alarm
                id: high-cpu
                properties:
                  Threshold: {atLeast: -.inf}
              - type: AWS::Budgets::Budget
                id: monthly
                properties:
                  BudgetLimit: {Amount: .inf, Unit: USD}

            """)
        let run = try Self.validate(repo)
        #expect(run.status == 1)
        #expect(run.stdout.contains("resources.yaml:5:51: DefaultRouteSettings.ThrottlingRateLimit must be a finite "
            + "number, found .nan"), "\(run.stdout)")
        #expect(run.stdout.contains("resources.yaml:9:28: Threshold must be a finite number, found -.inf"),
                "\(run.stdout)")
        #expect(run.stdout.contains("resources.yaml:13:29: BudgetLimit.Amount must be a finite number, found .inf"),
                "\(run.stdout)")
    }

    /// Two entries with one key can never both hold: refused at the second entry's line.
    @Test func aKeyedListNamesEachEntryOnce() throws {
        let repo = try Self.repository("""
              - type: AWS::WAFv2::WebACL
                id: "acl|a1b2c3d4-5678-90ab-cdef-EXAMPLE11111|REGIONAL"
                properties:
                  Rules:
                    - {Name: rate, Statement: {RateBasedStatement: {Limit: 100}}}
                    - {Name: rate, Statement: {RateBasedStatement: {Limit: 5000}}}
              - type: AWS::ApiGateway::Stage
                id: a1b2c3/prod
                properties:
                  MethodSettings:
                    - {ResourcePath: /*, HttpMethod: "*", ThrottlingRateLimit: 10}
                    - {ResourcePath: /~1pets, HttpMethod: GET, ThrottlingRateLimit: 5}
                    - {ResourcePath: /*, HttpMethod: "*", ThrottlingRateLimit: 20}

            """)
        let run = try Self.validate(repo)
        #expect(run.status == 1)
        #expect(run.stdout.contains("resources.yaml:7:11: rule 2 repeats rule 1 (Name \"rate\")"), "\(run.stdout)")
        #expect(run.stdout.contains("resources.yaml:14:11: method setting 3 repeats method setting 1 "
            + "(ResourcePath \"/*\", HttpMethod \"*\")"), "\(run.stdout)")
    }

    /// Budgets as AWS takes them: 1 to 11 subscribers, at most 10 e-mail and 1 SNS topic (by ARN), a
    /// non-negative amount, a threshold from 0 to 15,000,000,000,000.
    @Test func budgetsRangesAreAWSs() throws {
        let emails = (1...11).map { "{SubscriptionType: EMAIL, Address: ops\($0)@example.com}" }
            .joined(separator: ", ")
        let repo = try Self.repository("""
              - type: AWS::Budgets::Budget
                id: monthly
                properties:
                  BudgetLimit: {Amount: -5, Unit: USD}
                  NotificationsWithSubscribers:
                    - Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: -1e308}
                      Subscribers: [{SubscriptionType: EMAIL, Address: ops@example.com}]
              - type: AWS::Budgets::Budget
                id: quarterly
                properties:
                  NotificationsWithSubscribers:
                    - Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 50}
                      Subscribers: [{SubscriptionType: EMAIL, Address: ops@example.com}]
                    - Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80}
                      Subscribers: [\(emails)]
                    - Notification: {NotificationType: FORECASTED, ComparisonOperator: GREATER_THAN, Threshold: 100}
                      Subscribers: [{SubscriptionType: SNS, Address: ops@example.com}]

            """)
        let run = try Self.validate(repo)
        #expect(run.status == 1)
        for expected in [
            "resources.yaml:5:29: BudgetLimit.Amount must be a number >= 0, found integer -5",
            "resources.yaml:7:97: NotificationsWithSubscribers.Notification.Threshold must be a number from 0 to "
                + "15000000000000, found number -1e+308",
            "resources.yaml:15:11: notification 2 has 11 e-mail subscribers: AWS allows 10 a notification",
            "resources.yaml:17:11: notification 3: an SNS subscriber's Address is a topic ARN",
        ] {
            #expect(run.stdout.contains(expected), "\(expected)\n\(run.stdout)")
        }
        let empty = try Self.repository("""
              - type: AWS::Budgets::Budget
                id: monthly
                properties:
                  NotificationsWithSubscribers:
                    - Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80}
                      Subscribers: []

            """)
        let none = try Self.validate(empty)
        #expect(none.status == 1)
        #expect(none.stdout.contains("resources.yaml:6:11: notification 1 has no subscribers: AWS takes 1 to 11"),
                "\(none.stdout)")
    }

    /// A property named `""` would be the whole document as a JSON Pointer: refused at its line.
    @Test func anEmptyPropertyNameIsRefused() throws {
        let repo = try Self.repository("""
              - {type: Test::Hostile::Free, id: one, properties: {Policy: {"": 1, Version: "2012-10-17"}}}

            """, files: [RegistrySchema.path(for: "Test::Hostile::Free"): Self.schema(
                typeName: "Test::Hostile::Free", definitions: "{}",
                properties: #""Policy": {"type": ["object", "string"]}"#)])
        let run = try Self.validate(repo)
        #expect(run.status == 1)
        #expect(run.stdout.contains("resources.yaml:2:64: an empty property name in Policy"), "\(run.stdout)")
    }

    /// A registry schema of the tests' own: a type `Test::Hostile::*` with an `Id` primary identifier.
    static func schema(typeName: String, definitions: String, properties: String) -> String {
        """
        {"typeName": "\(typeName)", "description": "hostile",
         "definitions": \(definitions),
         "properties": {"Id": {"type": "string"}, \(properties)},
         "primaryIdentifier": ["/properties/Id"], "readOnlyProperties": ["/properties/Id"]}
        """
    }

    /// An S3 state's key names one object: `..`, `.` and empty segments are refused at their line (an
    /// endpoint that resolves them would read another bucket's object).
    @Test func anS3StateKeyCannotClimb() throws {
        let environment = Fixture.environment + """
            terraform:
              states:
                - s3://bucket-a/../bucket-b/secret.tfstate
                - s3://bucket-a/./state.tfstate
                - s3://bucket-a//state.tfstate
                - s3://bucket-a/envs/prod.tfstate

            """
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": environment,
                             "desired-state/test/resources.yaml": "resources: []\n"], message: "desired")
        let run = try Self.validate(repo)
        #expect(run.status == 1)
        #expect(run.stdout.contains("environment.yaml:4:7: an S3 Terraform state's key names one object: a '..' "
            + "segment in 's3://bucket-a/../bucket-b/secret.tfstate' is not allowed"), "\(run.stdout)")
        #expect(run.stdout.contains("environment.yaml:5:7: an S3 Terraform state's key names one object: a '.'"),
                "\(run.stdout)")
        #expect(run.stdout.contains("environment.yaml:6:7: an S3 Terraform state's key names one object: an empty "
            + "segment"), "\(run.stdout)")
        #expect(!run.stdout.contains("envs/prod.tfstate"), "\(run.stdout)")
    }
}
