import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `drift --notify URL`: a webhook POST when the drift differs from the last run's (kept
/// as a git note), nothing when it does not, and live values escaped for Slack.
@Suite struct DriftNotifyTests {
    @Test func aWebhookHearsOfChangesOnlyWithValuesEscaped() async throws {
        let group = "/ballast/" + uniqueName("notify"), alarm = uniqueName("notify")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, ["AlarmDescription": "<!channel> look <https://evil|here>"])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {AlarmDescription: Pages on-call}}
            """ + "\n")
        let posts = Locked<[Value]>([])
        let webhook = try LoopbackHTTPServer { request in
            let raw = String(decoding: request.raw, as: UTF8.self)
            if let body = raw.range(of: "\r\n\r\n").map({ String(raw[$0.upperBound...]) }), let json = try? JSON.parse(body) {
                posts.update { $0.append(json) }
            }
            return .response(status: 200, headers: [:], body: Array("ok".utf8))
        }
        func drift(_ extra: [String] = []) throws -> Run.Result {
            try repo.ballast(["drift", "--notify", webhook.url + "/hooks/T0/B0/x"] + extra)
        }
        #expect(try drift().status == 2)
        #expect(posts.current.count == 1)
        let text = posts.current.first?["text"]?.string ?? ""
        #expect(text.hasPrefix("ballast: drift in test at "))
        #expect(text.contains(": 2 modified, 0 deleted, 0 not checked, 0 in sync"))
        #expect(text.contains("• AWS::Logs::LogGroup \(group): /RetentionInDays 7 → 30"))
        #expect(text.contains("&lt;!channel&gt; look &lt;https://evil|here&gt;") && !text.contains("<!channel>"), "\(text)")

        #expect(try drift().status == 2)
        #expect(posts.current.count == 1, "the same drift again is not news")
        #expect(try drift(["--notify-always"]).status == 2)
        #expect(posts.current.count == 2)

        _ = try await seeder().client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group), "retentionInDays": 30])
        _ = try await seeder().client.query(.cloudWatch, "PutMetricAlarm", [
            "AlarmName": alarm, "AlarmDescription": "Pages on-call", "Namespace": "Ballast/Seed", "MetricName": "Seed",
            "Statistic": "Average", "Period": "60", "EvaluationPeriods": "1", "Threshold": "1",
            "ComparisonOperator": "GreaterThanThreshold",
        ])
        #expect(try drift().status == 0)
        #expect(posts.current.count == 3)
        #expect(posts.current.last?["text"]?.string?.hasPrefix("ballast: test is back in sync (2 resources)") == true)
        // The state lives in the repository, as a note git itself reads.
        let root = try repo.git(["rev-list", "--max-parents=0", "HEAD"])
        #expect(try repo.git(["notes", "--ref=ballast-drift", "show", root]).hasPrefix("{\"test\":"))
    }
}
