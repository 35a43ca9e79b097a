import BallastAWS
import BallastCore
import Foundation

/// `AWS::CloudWatch::Alarm` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let cloudWatchAlarm = KindMaterial(
        type: "AWS::CloudWatch::Alarm",
        seed: {
            try await $0.alarm($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("alarm") },
            live: [
                "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                "Dimensions": ["QueueName": "frames"],
                "Threshold": 300, "EvaluationPeriods": 5, "ActionsEnabled": false,
            ],
            desired:
                "{Threshold: 120, EvaluationPeriods: 3, ActionsEnabled: true, "
                + "AlarmActions: [\"arn:aws:sns:us-east-1:123456789012:pager\"]}"
        ),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::CloudWatch::Alarm", "bench-alarm-\(i)",
                [
                    "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                    "Dimensions": ["QueueName": .string("q\(i)")],
                    "Threshold": 300, "EvaluationPeriods": 5,
                    "AlarmActions": [.string("arn:aws:sns:us-east-1:123456789012:pager")],
                ],
                "{MetricName: ApproximateAgeOfOldestMessage, Dimensions: {QueueName: q\(i)}, "
                    + "Threshold: \(d ? 600 : 300), "
                    + "EvaluationPeriods: 5, AlarmActions: [\"arn:aws:sns:us-east-1:123456789012:pager\"]}", drifted: d
            )
        })
}

extension LiveSeeder {
    func alarm(_ name: String, _ p: [String: Value]) async throws {
        var parameters = ["AlarmName": name]
        for key in [
            "Namespace", "MetricName", "Statistic", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
            "ComparisonOperator", "TreatMissingData", "ActionsEnabled", "AlarmDescription",
        ] {
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
        let dimensions =
            p["Dimensions"].flatMap { value -> [String: Value]? in
                if case .map(let m) = value { return m } else { return nil }
            } ?? [:]
        for (index, key) in dimensions.keys.sorted().enumerated() {
            parameters["Dimensions.member.\(index + 1).Name"] = key
            parameters["Dimensions.member.\(index + 1).Value"] = dimensions[key]!.plain
        }
        _ = try await client.query(.cloudWatch, "PutMetricAlarm", parameters)
    }
}
