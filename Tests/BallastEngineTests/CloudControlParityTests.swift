import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
@testable import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// A type with a native kind reads the same through Cloud Control: the same statuses and
/// differences, only `via` telling the paths apart (SQS's native kind against the stand-in's
/// `AWS::SQS::Queue`, both over the same moto queue).
@Suite struct CloudControlParityTests {
    @Test func aQueueDriftsTheSameEitherWay() async throws {
        let (drifted, clean) = (uniqueName("queue"), uniqueName("queue"))
        let dlq = "arn:aws:sqs:us-east-1:123456789012:" + uniqueName("dlq")
        try await seeder().create("AWS::SQS::Queue", id: drifted, [
            "VisibilityTimeout": 30, "DelaySeconds": 0,
            "RedrivePolicy": ["maxReceiveCount": 5, "deadLetterTargetArn": .string(dlq)],
        ])
        try await seeder().create("AWS::SQS::Queue", id: clean, ["VisibilityTimeout": 300])
        var urls: [String] = []
        for name in [drifted, clean] {
            let answer = try await seeder().client.json(.sqs, "GetQueueUrl", .map(["QueueName": .string(name)]))
            urls.append(answer["QueueUrl"]?.string ?? "")
        }
        let repo = try TempRepository.desiredState("""
              - {type: AWS::SQS::Queue, id: "\(urls[0])", properties: {VisibilityTimeout: {atLeast: 120}, \
            DelaySeconds: 5, MessageRetentionPeriod: 345600, RedrivePolicy: {maxReceiveCount: 3}}}
              - {type: AWS::SQS::Queue, id: "\(urls[1])", properties: {VisibilityTimeout: 300}}
              - {type: AWS::SQS::Queue, id: "https://sqs.us-east-1.amazonaws.com/123456789012/\(uniqueName("gone"))", \
            properties: {DelaySeconds: 1}}

            """)
        let request = LoadRequest(repositoryPath: repo.path)
        let setup = AWSSetup(environment: MotoServer.shared.environment)
        let clients: AWSClients = { setup.client(region: $0, role: $1) }

        let native = try DesiredStateLoader(kinds: Kinds.builtIn).load(request)
        let nativeReport = await DriftDetector(kinds: .builtIn, clients: clients, lockTables: setup.lockTables)
            .detect(native).report

        let cloudControl = Kinds([LogGroupKind.self]).adding([try CfnLintSchemas.registry(for: "AWS::SQS::Queue")])
        let viaCloudControl = try DesiredStateLoader(kinds: cloudControl).load(request)
        #expect(viaCloudControl.diagnostics.isEmpty, "\(viaCloudControl.diagnostics)")
        let cloudControlReport = await DriftDetector(kinds: cloudControl, clients: clients,
                                                     lockTables: setup.lockTables).detect(viaCloudControl).report

        let pairs = zip(nativeReport.resources, cloudControlReport.resources)
        #expect(pairs.map { $0.0.status } == [.modified, .inSync, .deleted])
        #expect(nativeReport.resources.first?.differences.map(\.path).sorted()
            == ["/DelaySeconds", "/RedrivePolicy/maxReceiveCount", "/VisibilityTimeout"])
        for (one, other) in pairs {
            #expect(one.status == other.status, "\(one.displayId)")
            #expect(one.differences == other.differences, "\(one.differences) vs \(other.differences)")
            #expect(one.via == .native && other.via == .cloudControl)
        }
    }
}

/// Cloud Control's patch names each owned property by its JSON Pointer: a name holding `/` is one
/// segment (`/a~1b`), never a path into another property.
@Suite struct CloudControlPatchTests {
    @Test func aNameWithASlashIsOneSegmentOfThePatch() {
        let change = PlannedChange(ResourceKey(environment: "test", type: "Test::Path::Thing", id: "x",
                                                       region: "us-east-1"),
                                   operation: APIOperation(.cloudControl, "UpdateResource"),
                                   set: ["/a~1b": .init(from: 1, to: 2),
                                         "/Policy/aws:RequestTag~1team": .init(from: nil, to: "ops")])
        let patch = CloudControlKind.patch(change, live: ["a/b": 1, "Policy": [:]])
        #expect(patch == [
            ["op": "add", "path": "/Policy/aws:RequestTag~1team", "value": "ops"],
            ["op": "replace", "path": "/a~1b", "value": 2],
        ])
    }
}
