import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast iam-policy`: parliament (AWS's table of every action's resource types)
/// finds nothing to fault, and the actions are enough and each one needed, as moto's
/// IAM enforcement shows.
@Suite struct IAMPolicyTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("desired-state").path

    /// parliament's findings, as `ISSUE: detail` lines.
    func parliament(_ policy: String) throws -> [String] {
        let result = try Run.process("/bin/sh", ["-c",
            "parliament --json --minimum_severity INFO --string \"$0\" < /dev/null", policy])
        return try result.stdout.split(separator: "\n").map { line in
            let finding = try JSON.parse(String(line))
            return "\(finding["issue"]?.string ?? ""): \(finding["detail"]?.string ?? "")"
        }
    }

    func policy(_ repo: TempRepository, _ purpose: String) throws -> String {
        let result = try Run.ballast(["iam-policy", "--for", purpose, "--repo", repo.path])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// A repository with the example's environments and files.
    func exampleRepository() throws -> TempRepository {
        let repo = try TempRepository()
        try FileManager.default.copyItem(atPath: Self.example, toPath: repo.path + "/desired-state")
        try repo.commit(message: "the example")
        return repo
    }

    @Test func parliamentFindsNothingButWhatOwningALifecycleMeans() throws {
        let repo = try exampleRepository()
        #expect(try parliament(try policy(repo, "drift")) == [])
        let metrics = try Run.ballast(["iam-policy", "--publish-metrics", "--repo", repo.path]).stdout
        #expect(try parliament(metrics) == [])
        #expect(try JSON.parse(metrics)["Statement"]?.list?.last?["Condition"]
            == ["StringEquals": ["cloudwatch:namespace": "Ballast"]])
        // Owning LifecycleConfiguration is the power to expire objects: parliament says so, and
        // that is the one thing it says.
        #expect(try parliament(try policy(repo, "apply")) == [
            "RESOURCE_POLICY_PRIVILEGE_ESCALATION: Possible resource policy privilege escalation on "
                + "arn:aws:s3:::tolling-vision-prod-frames due to s3:DeleteObject not being allowed, but does allow "
                + "s3:PutLifecycleConfiguration",
        ])
        let document = try JSON.parse(try policy(repo, "apply"))
        let sids = document["Statement"]?.list?.compactMap { $0["Sid"]?.string } ?? []
        #expect(sids.contains("LogsLogGroup") && sids.contains("KMSKey") && sids.contains("EventsRule"))
        // ListTables is authorized on the database, not the table (parliament checks the resource type).
        let listTables = document["Statement"]?.list?.first { $0["Sid"]?.string == "TimestreamTableParent" }
        #expect(listTables?["Action"] == ["timestream:ListTables"] || listTables?["Action"] == "timestream:ListTables",
                "\(listTables.map { JSON.encode($0) } ?? "none")")
        let resources = (listTables?["Resource"]?.list ?? [listTables?["Resource"] ?? .null]).compactMap(\.string)
        #expect(!resources.isEmpty && resources.allSatisfy { $0.contains(":database/") && !$0.contains("/table/") },
                "\(listTables.map { JSON.encode($0) } ?? "none")")
        #expect(document["Statement"]?.list?.allSatisfy { $0["Effect"] == "Allow" } == true)
    }

    @Test func refsAndLockTablesAreCoveredToo() throws {
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, ref: {stack: app, logicalId: Logs}, properties: {RetentionInDays: 30}}
              - {type: AWS::ECS::Service, ref: {stack: app, logicalId: Web}, properties: {DesiredCount: 2}}
            """ + "\n", environment: "region: eu-west-1\naccount: \"123456789012\"\nlockTable: ballast-locks\n")
        let text = try policy(repo, "apply")
        #expect(try parliament(text) == [])
        let statements = try JSON.parse(text)["Statement"]?.list ?? []
        let bySid = Dictionary(statements.map { ($0["Sid"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(bySid["CloudFormationStacks"]?["Resource"]
            == ["arn:aws:cloudformation:eu-west-1:123456789012:stack/app/*"])
        #expect(bySid["CloudFormationStacks"]?["Action"] == ["cloudformation:DescribeStacks",
            "cloudformation:GetTemplate",
                                                            "cloudformation:ListStackResources"])
        #expect(bySid["LockTable"]?["Resource"] == ["arn:aws:dynamodb:eu-west-1:123456789012:table/ballast-locks"])
        #expect(bySid["LockTable"]?["Action"]?.list?.contains("dynamodb:Scan") == true, "holds are read: \(text)")
        // Drift reads the environment's holds from its lock table.
        let drift = try JSON.parse(try policy(repo, "drift"))["Statement"]?.list?.first { $0["Sid"] == "Holds" }
        #expect(drift?["Action"] == ["dynamodb:Scan"])
        #expect(bySid["ECSService"]?["Resource"] == ["arn:aws:ecs:eu-west-1:123456789012:service/*/*"])
        #expect(bySid["LogsLogGroup"]?["Resource"] == ["arn:aws:logs:eu-west-1:123456789012:log-group:*"])
    }

    /// moto checks each request's action against the user's policies (its resource matching
    /// knows only `*`): the policy's actions are enough for drift, and without one of them the
    /// resources that need it are not checked, with the action named.
    @Test func theActionsAreEnoughAndEachIsNeeded() async throws {
        let group = "/ballast/" + uniqueName("iam"), alarm = uniqueName("iam"), table = uniqueName("iam")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, ["Threshold": 5])
        try await seeder().create("AWS::DynamoDB::Table", id: table, ["BillingMode": "PAY_PER_REQUEST"])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {Threshold: 5}}
              - {type: AWS::DynamoDB::Table, id: \(table), properties: {BillingMode: PAY_PER_REQUEST}}
            """ + "\n")
        let actions = (try JSON.parse(try policy(repo, "drift"))["Statement"]?.list ?? [])
            .flatMap { $0["Action"]?.list?.compactMap(\.string) ?? [] }
        // A kind's reads, whichever of its properties are declared (the table's backups and TTL reads too).
        #expect(Set(actions) == ["logs:DescribeLogGroups", "cloudwatch:DescribeAlarms", "dynamodb:DescribeTable",
                                 "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTimeToLive"])

        let enough = try await user(allowing: actions)
        let checked = try repo.ballast(["drift", "--output", "json"], enough)
        #expect(checked.status == 0, "\(checked.stdout.suffix(1500))\(checked.stderr)")

        let short = try await user(allowing: actions.filter { $0 != "logs:DescribeLogGroups" })
        let result = try repo.ballast(["drift", "--output", "json"], short)
        #expect(result.status == 1)
        let resources = (try JSON.parse(result.stdout)["environments"]?.list ?? []).flatMap {
            $0["resources"]?.list ?? []
        }
        let group0 = resources.first { $0["id"]?.string == group }
        #expect(group0?["status"] == "NOT_CHECKED")
        #expect(group0?["reason"]?.string?.contains("logs:DescribeLogGroups") == true, "\(group0?["reason"] ?? .null)")
        #expect(resources.filter { $0["status"] == "IN_SYNC" }.count == 2)
    }

    /// A new IAM user in the strict moto allowed exactly `actions` (on `*`), as environment variables.
    func user(allowing actions: [String]) async throws -> [String: String] {
        var environment = MotoServer.shared.environment
        environment["AWS_ENDPOINT_URL_IAM"] = MotoServer.shared.endpoint
        let iam = AWSService(serviceId: "IAM", signingName: "iam", endpointPrefix: "iam", apiVersion: "2010-05-08",
            wire: .query)
        let client = AWSSetup(environment: environment).client(region: "us-east-1")
        let name = uniqueName("least")
        _ = try await client.query(iam, "CreateUser", ["UserName": name])
        // moto names CloudWatch's actions by its signing name (`monitoring:DescribeAlarms`), IAM
        // by `cloudwatch:`: the user gets moto's spelling of the same action beside IAM's.
        let actions = actions + actions.filter { $0.hasPrefix("cloudwatch:") }.map { "monitoring:"
            + $0.dropFirst("cloudwatch:".count) }
        let document: Value = ["Version": "2012-10-17", "Statement": [["Effect": "Allow",
            "Action": .list(actions.map(Value.string)),
                                                                        "Resource": "*"]]]
        _ = try await client.query(iam, "PutUserPolicy", ["UserName": name, "PolicyName": "ballast",
                                                         "PolicyDocument": JSON.encode(document)])
        let key = try await client.query(iam, "CreateAccessKey", ["UserName": name])
        return ["AWS_ACCESS_KEY_ID": key["AccessKey", "AccessKeyId"]?.text ?? "",
                "AWS_SECRET_ACCESS_KEY": key["AccessKey", "SecretAccessKey"]?.text ?? ""]
    }

    /// A Cloud Control type: Cloud Control's actions (IAM names them `cloudformation:`, on `*`) and
    /// its handlers' permissions from the repository's registry schema, reads for drift and the
    /// update handler's too for apply; a handler permission that is not an IAM action is left out.
    /// The handlers' actions are granted on `*` (a registry schema does not say its type's ARN), and
    /// that is all parliament says.
    @Test func aCloudControlTypeGetsItsHandlersPermissions() throws {
        let schema = try CfnLintSchemas.withHandlers("AWS::Kinesis::Stream",
            read: ["kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream", "kinesis:*\"} evil"],
            update: ["kinesis:UpdateShardCount", "kinesis:IncreaseStreamRetentionPeriod"])
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment,
                             "desired-state/test/resources.yaml": "resources:\n"
                                 + "  - {type: AWS::Kinesis::Stream, id: frames, properties: {ShardCount: 2}}\n",
                             RegistrySchema.path(for: "AWS::Kinesis::Stream"): schema], message: "desired")
        for (purpose, expected) in [
            (
                "drift",
                (["cloudformation:GetResource"], ["kinesis:DescribeStreamSummary", "kinesis:ListTagsForStream"])
            ),
            (
                "apply",
                (
                    [
                        "cloudformation:GetResource", "cloudformation:UpdateResource",
                        "cloudformation:GetResourceRequestStatus",
                    ],
                    [
                        "kinesis:DescribeStreamSummary", "kinesis:IncreaseStreamRetentionPeriod",
                        "kinesis:ListTagsForStream", "kinesis:UpdateShardCount",
                    ]
                )
            ),
        ] {
            let text = try policy(repo, purpose)
            let findings = try Run.process("/bin/sh", ["-c",
                "parliament --json --minimum_severity INFO --string \"$0\" < /dev/null", text]).stdout
                .split(separator: "\n").map { try JSON.parse(String($0)) }
            #expect(findings.map { $0["issue"] } == ["RESOURCE_STAR"], "\(findings)")
            let starred = Set((findings.first?["detail"]?.list ?? []).compactMap(\.string))
            #expect(!starred.isEmpty && starred.isSubset(of: expected.1), "\(findings)")
            let statements = try JSON.parse(text)["Statement"]?.list ?? []
            let bySid = Dictionary(statements.map { ($0["Sid"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            #expect(bySid["KinesisStreamList"]?["Action"] == .list(expected.0.map(Value.string)), "\(text)")
            #expect(bySid["KinesisStreamList"]?["Resource"] == ["*"])
            #expect(bySid["KinesisStreamHandlers"]?["Action"] == .list(expected.1.map(Value.string)), "\(text)")
        }
    }

    /// `--explain` adds CloudTrail's lookups and, with Auto Scaling groups, their scaling activities,
    /// both on `*` (neither takes a narrower resource); parliament finds nothing.
    @Test func explainAddsTheLookups() throws {
        let repo = try TempRepository.desiredState("""
              - {type: AWS::AutoScaling::AutoScalingGroup, id: web, properties: {DesiredCapacity: 2}}
            """ + "\n")
        let text = try Run.ballast(["iam-policy", "--for", "drift", "--explain", "--repo", repo.path]).stdout
        #expect(try parliament(text) == [], "\(text)")
        let statement = try JSON.parse(text)["Statement"]?.list?.first { $0["Sid"] == "ExplainDrift" }
        #expect(statement?["Action"] == ["cloudtrail:LookupEvents", "autoscaling:DescribeScalingActivities"])
        #expect(statement?["Resource"] == ["*"])
        let without = try Run.ballast(["iam-policy", "--for", "drift", "--repo", repo.path]).stdout
        #expect(!without.contains("cloudtrail:LookupEvents"))
    }

    /// A schema that asks for `iam:*`, `sts:AssumeRole`, `iam:PassRole`, `kms:*` and `s3:Get*` gets none of them
    /// into the drift role: standard error names each with the schema it came from and why; the plain
    /// action is granted; an environment that lists `iam:PassRole` under `schemaPermissions` grants that one.
    @Test func aSchemaCannotGrantWildcardsOrEscalation() throws {
        let asked = ["kinesis:DescribeStreamSummary", "iam:*", "sts:AssumeRole", "iam:PassRole", "kms:*", "s3:Get*",
                     "kms:CreateGrant", "secretsmanager:GetSecretValue"]
        let schema = try CfnLintSchemas.withHandlers("AWS::Kinesis::Stream", read: asked, update: [])
        func repository(_ environment: String) throws -> TempRepository {
            let repo = try TempRepository()
            _ = try repo.commit(["desired-state/test/environment.yaml": environment,
                                 "desired-state/test/resources.yaml": "resources:\n"
                                     + "  - {type: AWS::Kinesis::Stream, id: frames, properties: {ShardCount: 2}}\n",
                                 RegistrySchema.path(for: "AWS::Kinesis::Stream"): schema], message: "desired")
            return repo
        }
        let plain = try repository(Fixture.environment)
        let run = try Run.ballast(["iam-policy", "--for", "drift", "--repo", plain.path])
        #expect(run.status == 0, "\(run.stderr)")
        let statements = try JSON.parse(run.stdout)["Statement"]?.list ?? []
        let granted = Set(statements.flatMap { $0["Action"]?.list ?? [] }.compactMap(\.string))
        #expect(granted.contains("kinesis:DescribeStreamSummary"))
        for action in asked.dropFirst() {
            #expect(!granted.contains(action), "\(action) granted: \(run.stdout)")
            #expect(run.stderr.contains("schemas/AWS-Kinesis-Stream.json (AWS::Kinesis::Stream) asks for \(action): "
                + "not granted"), "\(action): \(run.stderr)")
        }
        #expect(run.stderr.contains("asks for iam:PassRole: not granted, escalates privilege (iam)"), "\(run.stderr)")
        #expect(run.stderr.contains("asks for s3:Get*: not granted, a wildcard"), "\(run.stderr)")
        #expect(run.stderr.contains("asks for, granted: kinesis:DescribeStreamSummary"), "\(run.stderr)")

        let listing = try repository(Fixture.environment + "schemaPermissions: [iam:PassRole]\n")
        let allowed = try Run.ballast(["iam-policy", "--for", "drift", "--repo", listing.path])
        let handlers = try JSON.parse(allowed.stdout)["Statement"]?.list?.first {
            $0["Sid"] == "KinesisStreamHandlers"
        }
        #expect(handlers?["Action"] == ["iam:PassRole", "kinesis:DescribeStreamSummary"], "\(allowed.stdout)")
    }
}
