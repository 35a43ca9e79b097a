import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Any CloudFormation type through Cloud Control, against the stand-in (backed by moto's Kinesis,
/// SQS and SNS) with cfn-lint's schemas of the types as the repository's `schemas/`.
/// Serialized: a throttle the stand-in is told of holds for every request, whichever test sent it.
@Suite(.serialized) struct CloudControlTests {
    static let kinesis = AWSService(serviceId: "Kinesis", signingName: "kinesis", endpointPrefix: "kinesis",
                                    apiVersion: "2013-12-02",
                                    wire: .json(version: "1.1", targetPrefix: "Kinesis_20131202"))
    static let sns = AWSService(serviceId: "SNS", signingName: "sns", endpointPrefix: "sns", apiVersion: "2010-03-31",
                                wire: .query)

    /// A stream in moto with `shards` shards.
    static func stream(shards: Int) async throws -> String {
        let name = uniqueName("stream")
        _ = try await seeder().client.json(kinesis, "CreateStream", .map([
            "StreamName": .string(name), "ShardCount": .int(shards),
        ]))
        return name
    }

    static func liveStream(_ name: String) async throws -> Value {
        try await seeder().client.json(kinesis, "DescribeStreamSummary", .map(["StreamName": .string(name)]))
    }

    /// A repository holding cfn-lint's schemas of `types` and `resources`.
    static func repository(_ resources: String, schemas types: [String] = ["AWS::Kinesis::Stream"],
                           extra: [String: String] = [:]) throws -> TempRepository {
        let repo = try TempRepository()
        var files = ["desired-state/test/environment.yaml": Fixture.environment,
                     "desired-state/test/resources.yaml": "resources:\n" + resources]
        for type in types { files[RegistrySchema.path(for: type)] = try CfnLintSchemas.text(for: type) }
        _ = try repo.commit(files.merging(extra) { _, new in new }, message: "desired")
        return repo
    }

    /// Drift, plan, apply, read-back and drift again for a Kinesis stream's shard count kept
    /// `within` a range; every request checked against botocore's cloudcontrol model.
    @Test func aKinesisStreamConvergesThroughCloudControl() async throws {
        let name = try await Self.stream(shards: 4)
        let repo = try Self.repository("""
              - type: AWS::Kinesis::Stream
                id: \(name)
                properties:
                  ShardCount: {within: [1, 2]}
                  RetentionPeriodHours: 48
            """)
        let recorder = try RequestRecorder()
        let environment = recorder.environment

        let drift = try Run.ballast(["drift", "--repo", repo.path, "--output", "json"], environment: environment)
        #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
        let report = DriftRun(status: drift.status, report: try JSON.parse(drift.stdout), stderr: drift.stderr)
        #expect(report.resources[name]?["via"]?.string == "cloudcontrol")
        #expect(Set(report.differences(of: name).compactMap { $0["path"]?.string })
            == ["/ShardCount", "/RetentionPeriodHours"], "\(report.differences(of: name))")

        let plan = try Run.ballast(["plan", "--repo", repo.path, "--output", "json"], environment: environment)
        let changes = try JSON.parse(plan.stdout)["changes"]?.list ?? []
        #expect(changes.map { $0["call"]?.string } == ["cloudcontrolapi:UpdateResource"], "\(plan.stdout)")
        #expect(changes.first?["set"]?["/ShardCount"]?["to"] == 2)

        let apply = try Run.ballast(["apply", "--auto-approve", "--repo", repo.path], environment: environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("Apply: 1 of 1 changes applied, 1 verified"), "\(apply.stdout)")
        let live = try await Self.liveStream(name)["StreamDescriptionSummary"]
        #expect(live?["OpenShardCount"] == 2 && live?["RetentionPeriodHours"] == 48, "\(live ?? .null)")

        let again = try Run.ballast(["drift", "--repo", repo.path], environment: environment)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")

        let sent = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(sent.problems == [], "\(sent.summary)")
        #expect(recorder.jsonLines.contains("CloudApiService.UpdateResource"))
        #expect(recorder.jsonLines.contains("CloudApiService.GetResourceRequestStatus"))
        print("Cloud Control: \(sent.summary) against botocore's models, \(sent.problems.count) violations")
    }

    /// A handler that fails says its error code and message; the resource keeps its values.
    @Test func aFailedHandlerIsAPreciseErrorAndChangesNothing() async throws {
        let name = try await Self.stream(shards: 3)
        MotoServer.shared.standIns.cloudControl.failNext(name, code: "ServiceLimitExceeded",
                                                         message: "shard limit of 500 reached in the account")
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: \(name), properties: {ShardCount: 5}}\n")
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        let said = apply.stdout + apply.stderr
        #expect(said.contains("Cloud Control UpdateResource FAILED (ServiceLimitExceeded): shard limit of 500 "
            + "reached in the account"), "\(said)")
        #expect(try await Self.liveStream(name)["StreamDescriptionSummary"]?["OpenShardCount"] == 3)
    }

    /// A handler's StatusMessage is AWS's text: its line break cannot make a line of the apply log that
    /// reads as another write's outcome.
    @Test func aStatusMessageCannotForgeALineOfTheApplyLog() async throws {
        let name = try await Self.stream(shards: 3)
        MotoServer.shared.standIns.cloudControl.failNext(
            name, code: "InternalFailure",
            message: "oops\napplied        cloudformation:UpdateResource x")
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: \(name), properties: {ShardCount: 5}}\n")
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        let lines = apply.stdout.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("applied ") }, "\(apply.stdout)")
        #expect(apply.stdout.contains("oops\\napplied        cloudformation:UpdateResource x"), "\(apply.stdout)")
    }

    /// A request still in progress at --wait-timeout is a failure naming its request token.
    @Test func aRequestThatNeverEndsTimesOut() async throws {
        let name = try await Self.stream(shards: 1)
        MotoServer.shared.standIns.cloudControl.stallNext(name)
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: \(name), properties: {ShardCount: 2}}\n")
        let apply = try repo.ballast(["apply", "--auto-approve", "--wait-timeout", "2"])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect((apply.stdout + apply.stderr).contains("still IN_PROGRESS after the 2 s wait timeout (request token "),
                "\(apply.stdout)\(apply.stderr)")
    }

    /// Throttled past the retries: NOT_CHECKED with Cloud Control's code, exit 1, nothing written.
    @Test func aThrottledReadIsNotCheckedWithItsReason() async throws {
        let name = try await Self.stream(shards: 1)
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: \(name), properties: {ShardCount: 2}}\n")
        MotoServer.shared.standIns.cloudControl.throttle(next: 1_000)
        defer { MotoServer.shared.standIns.cloudControl.throttle(next: 0) }
        let drift = try repo.ballast(["drift", "--output", "json"], ["AWS_MAX_ATTEMPTS": "2"])
        #expect(drift.status == 1, "\(drift.stdout)\(drift.stderr)")
        let report = DriftRun(status: drift.status, report: try JSON.parse(drift.stdout), stderr: drift.stderr)
        #expect(report.status(of: name) == "NOT_CHECKED")
        #expect(report.resources[name]?["reason"]?.string?.contains("ThrottlingException") == true,
                "\(report.resources[name] ?? .null)")
    }

    /// What Cloud Control cannot change is refused at validation, at the line, with the reason;
    /// a misspelt property gets a suggestion and a value outside the schema's bounds its range.
    @Test func validationChecksAgainstTheTypesSchema() throws {
        let repo = try Self.repository("""
              - type: AWS::Kinesis::Stream
                id: frames
                properties:
                  Name: other-name
                  Arn: "arn:aws:kinesis:us-east-1:123456789012:stream/frames"
                  WarmThroughputMiBps: 10
                  ShardCont: 2
                  RetentionPeriodHours: 0
                  StreamModeDetails: {StreamMode: SOMETIMES}
            """)
        let validate = try repo.ballast(["validate"])
        #expect(validate.status == 1)
        let file = "desired-state/test/resources.yaml"
        for expected in [
            "\(file):5:7: Name is create-only in AWS::Kinesis::Stream's schema: changing it replaces the resource",
            "\(file):6:7: Arn is read-only in AWS::Kinesis::Stream's schema",
            "\(file):7:7: WarmThroughputMiBps is write-only in AWS::Kinesis::Stream's schema",
            "\(file):8:7: unknown property 'ShardCont'",
            "(did you mean ShardCount?)",
            "\(file):9:29: RetentionPeriodHours must be an integer from 1 to 8760, found integer 0",
            "StreamModeDetails.StreamMode must be one of ON_DEMAND, PROVISIONED",
        ] {
            #expect(validate.stdout.contains(expected), "missing \(expected) in:\n\(validate.stdout)")
        }
    }

    /// A type the registry gives no update handler is refused at the resource's line.
    @Test func aTypeWithoutAnUpdateHandlerIsRefused() throws {
        let schema = try CfnLintSchemas.withHandlers("AWS::Kinesis::Stream", read: ["kinesis:DescribeStreamSummary"],
                                                     update: nil)
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: frames, properties: {ShardCount: 2}}\n",
                                       schemas: [], extra: [RegistrySchema.path(for: "AWS::Kinesis::Stream"): schema])
        let validate = try repo.ballast(["validate"])
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("desired-state/test/resources.yaml:2:5: AWS::Kinesis::Stream cannot be "
            + "updated through Cloud Control: its registry schema (schemas/AWS-Kinesis-Stream.json) has no update "
            + "handler"), "\(validate.stdout)")
    }

    /// A schema a resource needs is checked, and one at another type's path names its place.
    @Test func aSchemaFileIsCheckedAndNamesItsPlace() throws {
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: frames, properties: {ShardCount: 2}}\n"
                                       + "  - {type: AWS::SNS::Topic, id: \"arn:aws:sns:us-east-1:123456789012:t\", "
                                       + "properties: {DisplayName: T}}\n",
                                       schemas: [], extra: ["schemas/AWS-Kinesis-Stream.json": "{\"typeName\": \n[",
                                                            "schemas/AWS-SNS-Topic.json": try CfnLintSchemas.text(
                                                                for: "AWS::Kinesis::Stream")])
        let validate = try repo.ballast(["validate"])
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("schemas/AWS-Kinesis-Stream.json:2:2: invalid JSON"), "\(validate.stdout)")
        #expect(validate.stdout.contains("schemas/AWS-SNS-Topic.json: holds the schema of AWS::Kinesis::Stream; it "
            + "belongs in schemas/AWS-Kinesis-Stream.json"), "\(validate.stdout)")
    }

    /// `schema fetch` writes the registry's schema where validate reads it; validate then needs no AWS.
    @Test func schemaFetchWritesWhatValidateReads() throws {
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment,
                             "desired-state/test/resources.yaml": "resources:\n"
                                 + "  - {type: AWS::SNS::Topic, id: \"arn:aws:sns:us-east-1:123456789012:pager\", "
                                 + "properties: {DisplayName: Pager}}\n"], message: "desired")
        let fetch = try repo.ballast(["schema", "fetch", "AWS::SNS::Topic"])
        #expect(fetch.status == 0, "\(fetch.stdout)\(fetch.stderr)")
        #expect(fetch.stdout.contains("wrote schemas/AWS-SNS-Topic.json (FULLY_MUTABLE)"), "\(fetch.stdout)")
        let written = try String(contentsOfFile: repo.path + "/schemas/AWS-SNS-Topic.json", encoding: .utf8)
        #expect(try JSON.parse(written) == JSON.parse(try CfnLintSchemas.text(for: "AWS::SNS::Topic")))
        let offline = ["AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""]
        let validate = try repo.ballast(["validate", "--worktree"], offline)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")

        let unknown = try repo.ballast(["schema", "fetch", "AWS::Nothing::Here"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("AWS::Nothing::Here: ") && unknown.stderr.contains("TypeNotFoundException"),
                "\(unknown.stderr)")
        let bad = try repo.ballast(["schema", "fetch", "../../etc/passwd"])
        #expect(bad.status != 0 && bad.stderr.contains("is not a CloudFormation type name"), "\(bad.stderr)")
    }

    /// A registry answer for another type than the one asked is not written.
    @Test func schemaFetchRefusesAnotherTypesSchema() throws {
        let repo = try TempRepository()
        _ = try repo.commit(["README": "x"], message: "empty")
        MotoServer.shared.standIns.registry.serve("AWS::Events::Archive",
                                                  schema: try CfnLintSchemas.text(for: "AWS::SNS::Topic"))
        let fetch = try repo.ballast(["schema", "fetch", "AWS::Events::Archive"])
        #expect(fetch.status == 1)
        #expect(fetch.stderr.contains("holds the schema of AWS::SNS::Topic"), "\(fetch.stderr)")
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/schemas/AWS-Events-Archive.json"))
    }

    /// `import --id GLOB` lists through Cloud Control (paged) and adopts only what ballast may own.
    @Test func importListsThroughCloudControl() async throws {
        let prefix = uniqueName("feed")
        for index in 1...3 {
            _ = try await seeder().client.json(Self.kinesis, "CreateStream", .map([
                "StreamName": .string("\(prefix)-\(index)"), "ShardCount": .int(index),
            ]))
        }
        let repo = try Self.repository("")
        let imported = try repo.ballast(["import", "--env", "test", "--from-live", "--type", "AWS::Kinesis::Stream",
                                         "--id", prefix + "-*"])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let drift = try repo.ballast(["drift", "--worktree", "--output", "json"])
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
        let report = DriftRun(status: drift.status, report: try JSON.parse(drift.stdout), stderr: drift.stderr)
        #expect(report.status(of: "\(prefix)-3") == "IN_SYNC")
        let files = try repo.git(["status", "--porcelain", "--untracked-files=all"])
        let written = try files.split(separator: "\n").map { String($0.dropFirst(3)) }
            .filter { $0.hasPrefix("desired-state/") }
            .map { try String(contentsOfFile: repo.path + "/" + $0, encoding: .utf8) }.joined()
        #expect(written.contains("ShardCount: 3") && !written.contains("Arn:") && !written.contains("Name:"),
                "\(written)")
    }

    /// `--dry-run-reads` counts one GetResource per Cloud Control resource, says which types go
    /// that way, and the run makes exactly those calls.
    @Test func theReadPlanCountsAGetResourceEach() async throws {
        var names: [String] = []
        for _ in 0..<3 { names.append(try await Self.stream(shards: 1)) }
        let repo = try Self.repository(names.map {
            "  - {type: AWS::Kinesis::Stream, id: \($0), properties: {ShardCount: 1}}\n"
        }.joined())
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.hasPrefix("Reads planned (no call made): 3 calls for 3 resources\n"),
                "\(planned.stdout)")
        #expect(planned.stdout.contains("  cloudcontrolapi:GetResource"), "\(planned.stdout)")
        #expect(planned.stdout.contains("  via cloudcontrol: AWS::Kinesis::Stream, 3 resources, one GetResource each"),
                "\(planned.stdout)")
        let recorder = try RequestRecorder()
        let drift = try Run.ballast(["drift", "--repo", repo.path], environment: recorder.environment)
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
        #expect(recorder.count == 3, "\(recorder.jsonLines)")
    }

    /// A saved plan of a Cloud Control type is applied at its commit, where its schema is.
    @Test func aSavedPlanOfACloudControlTypeApplies() async throws {
        let name = try await Self.stream(shards: 4)
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: \(name), properties: {ShardCount: 2}}\n")
        let planFile = repo.path + "/kinesis.plan.json"
        #expect(try repo.ballast(["plan", "--out", planFile]).status == 2)
        let apply = try repo.ballast(["apply", planFile, "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await Self.liveStream(name)["StreamDescriptionSummary"]?["OpenShardCount"] == 2)
    }

    /// A throttled UpdateResource is retried with its ClientToken: the same request to Cloud Control.
    @Test func aRetriedUpdateKeepsItsClientToken() async throws {
        let name = try await Self.stream(shards: 3)
        let repo = try Self.repository("  - {type: AWS::Kinesis::Stream, id: \(name), properties: {ShardCount: 2}}\n")
        let recorder = try RequestRecorder()
        MotoServer.shared.standIns.cloudControl.throttle(next: 1, operation: "UpdateResource")
        let apply = try Run.ballast(
            ["apply", "--auto-approve", "--repo", repo.path], environment: recorder.environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let tokens = recorder.jsonLines.split(separator: "\n").compactMap { line -> String? in
            guard let request = try? JSON.parse(String(line)),
                  request["headers"]?["x-amz-target"] == "CloudApiService.UpdateResource",
                  let body = request["body"]?.string.flatMap({ Data(base64Encoded: $0) }) else { return nil }
            return (try? JSON.parse(String(decoding: body, as: UTF8.self)))?["ClientToken"]?.string
        }
        #expect(tokens.count == 2 && Set(tokens).count == 1, "\(tokens)")
    }
}
