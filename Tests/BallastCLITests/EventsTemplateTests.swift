import BallastCore
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// `ballast events template`: the rules are derived from the kinds' declared calls, the template passes
/// cfn-lint, and every call it listens for is an operation of its service in botocore's models.
@Suite struct EventsTemplateTests {
    /// One resource of every kind in us-east-1 (the scale fixture's first of each), and a log group in
    /// eu-west-1.
    static func repository() throws -> TempRepository {
        // The scale fixture names a web ACL as seeded; AWS picks its id part.
        let resources = KindMaterial.all.map { $0.scale(0, false).desired }.joined()
            .replacingOccurrences(of: "\"bench-acl-0\"", with: "\"bench-acl-0|a1b2c3d4|REGIONAL\"")
            + "  - {type: AWS::Logs::LogGroup, id: /elsewhere, region: eu-west-1, properties: {RetentionInDays: 30}}\n"
        return try TempRepository.desiredState(resources)
    }

    static func lint(_ template: String) throws -> Run.Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("events") + ".yaml").path
        try template.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try Run.process("/usr/bin/env", ["cfn-lint", file])
    }

    @Test func theTemplateAndTheForwardingOnePassCfnLint() throws {
        let repo = try Self.repository()
        let home = try repo.ballast(["events", "template"])
        #expect(home.status == 0, "\(home.stderr)")
        let linted = try Self.lint(home.stdout)
        #expect(linted.status == 0, "cfn-lint: \(linted.stdout)\(linted.stderr)")
        // Every kind's calls, from its declaration: a runbook's capacity change and a deleted log group too.
        for expected in ["SetDesiredCapacity", "UpdateAutoScalingGroup", "DeleteLogGroup", "PutBucketLifecycle",
                         "logs.amazonaws.com", "monitoring.amazonaws.com", "budgets.amazonaws.com",
                         "aws:SourceArn", "SqsManagedSseEnabled: true", "deadLetterTargetArn"] {
            #expect(home.stdout.contains(expected), "\(expected) missing")
        }
        #expect(home.stderr.contains("also made in eu-west-1"), "\(home.stderr)")

        let forward = try repo.ballast(["events", "template", "--region", "eu-west-1"])
        #expect(forward.status == 0, "\(forward.stderr)")
        let lintedForward = try Self.lint(forward.stdout)
        #expect(lintedForward.status == 0, "cfn-lint: \(lintedForward.stdout)\(lintedForward.stderr)")
        #expect(forward.stdout.contains("events:us-east-1:${AWS::AccountId}:event-bus/default"))
        #expect(!forward.stdout.contains("AWS::SQS::Queue"), "the queue is the home region's alone")
    }

    /// Each rule's pattern stays within EventBridge's default 2,048 characters however many kinds there are.
    @Test func eachPatternFitsEventBridgesLimit() throws {
        let repo = try Self.repository()
        let result = try repo.ballast(["events", "template"])
        let patterns = result.stdout.split(separator: "\n").filter { $0.contains("EventPattern: ") }
        #expect(!patterns.isEmpty)
        for line in patterns {
            let pattern = line.split(separator: "EventPattern: ", maxSplits: 1).last ?? ""
            #expect(pattern.count <= 2_048, "\(pattern.count) characters")
            #expect((try? JSON.parse(String(pattern))) != nil, "not JSON: \(pattern)")
        }
    }

    @Test func badNamesAreRefusedBeforeAnythingIsRead() throws {
        let repo = try Self.repository()
        let name = try repo.ballast(["events", "template", "--queue-name", "a queue: with spaces"])
        #expect(name.status != 0 && name.stderr.contains("--queue-name takes"), "\(name.stderr)")
        let region = try repo.ballast(["events", "template", "--region", "mars-1"])
        #expect(region.status != 0 && region.stderr.contains("--region takes"), "\(region.stderr)")
    }

    /// Every call a kind says changes what it owns (its writes and `changedBy`) is an operation of its
    /// service's botocore model: a misspelt name would be a rule that never fires.
    @Test func everyWatchedCallIsAnOperationInBotocore() throws {
        var lines: [String] = []
        for kind in Kinds.builtIn.schemas.all {
            for operation in kind.watched {
                lines.append("\(operation.service.signingName) \(operation.service.apiVersion) \(operation.name)")
            }
        }
        let script = """
            import sys, botocore.session
            session = botocore.session.get_session()
            names = {"monitoring": ["cloudwatch"], "timestream": ["timestream-write"],
                     "apigateway": ["apigateway", "apigatewayv2"]}
            missing = []
            for line in sys.argv[1:]:
                signing, version, operation = line.split(" ")
                models = [session.get_service_model(n) for n in names.get(signing, [signing])]
                models = [m for m in models if m.api_version == version]
                if not models or operation not in models[0].operation_names:
                    missing.append(line)
            print("\\n".join(missing))
            """
        let run = try Run.process("/usr/bin/env", ["python3", "-c", script] + lines)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "", "not in botocore: \(run.stdout)")
        #expect(lines.count > 40)
    }
}
