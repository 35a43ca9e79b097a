import BallastAWS
import BallastCore
import Foundation

/// `AWS::SQS::Queue` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let sqsQueue = KindMaterial(
        type: "AWS::SQS::Queue",
        seed: {
            try await $0.sqsQueue($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("queue") },
            live: [
                "VisibilityTimeout": 30, "DelaySeconds": 0,
                "RedrivePolicy": [
                    "maxReceiveCount": 5,
                    "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq",
                ],
            ],
            desired: "{VisibilityTimeout: {atLeast: 120}, DelaySeconds: 5, RedrivePolicy: {maxReceiveCount: 3}}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::SQS::Queue", "bench-queue-\(i)",
                ["VisibilityTimeout": 30, "MessageRetentionPeriod": 345_600],
                "{VisibilityTimeout: \(d ? 60 : 30), MessageRetentionPeriod: 345600}", drifted: d)
        })
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
