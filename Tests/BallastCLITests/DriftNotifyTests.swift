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
        try await seeder().create(
            "AWS::CloudWatch::Alarm", id: alarm, ["AlarmDescription": "<!channel> look <https://evil|here>"])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {AlarmDescription: Pages on-call}}
            """ + "\n")
        let posts = Locked<[Value]>([])
        let webhook = try LoopbackHTTPServer { request in
            let raw = String(decoding: request.raw, as: UTF8.self)
            if let body = raw.range(of: "\r\n\r\n").map({ String(raw[$0.upperBound...]) }),
                let json = try? JSON.parse(body) {
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
        #expect(text.contains("&lt;!channel&gt; look &lt;https://evil|here&gt;") && !text.contains("<!channel>"),
                "\(text)")

        #expect(try drift().status == 2)
        #expect(posts.current.count == 1, "the same drift again is not news")
        #expect(try drift(["--notify-always"]).status == 2)
        #expect(posts.current.count == 2)

        try await setRetention(group, 30)
        try await putSeedAlarm(alarm, description: "Pages on-call")
        #expect(try drift().status == 0)
        #expect(posts.current.count == 3)
        #expect(posts.current.last?["text"]?.string?.hasPrefix("ballast: test is back in sync (2 resources)") == true)
        // The state lives in the repository, as a note git itself reads.
        let root = try repo.git(["rev-list", "--max-parents=0", "HEAD"])
        #expect(try repo.git(["notes", "--ref=ballast-drift", "show", root]).hasPrefix("{\"test\":"))
    }

    @Test func aFreshCloneOnARunnerFindsTheLastDriftInTheLockTable() async throws {
        let group = "/ballast/" + uniqueName("notify-table")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let table = try await createLockTable()
        let origin = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n",
            environment: "region: us-east-1\nlockTable: \(table)\n")
        let posts = Locked(0)
        let webhook = try LoopbackHTTPServer { _ in
            posts.update { $0 += 1 }
            return .response(status: 200, headers: [:], body: Array("ok".utf8))
        }
        #expect(try origin.ballast(["drift", "--notify", webhook.url]).status == 2)
        #expect(posts.current == 1)
        let item = try await seeder().client.json(.dynamodb, "GetItem", [
            "TableName": .string(table), "Key": ["LockID": ["S": .string("ballast/drift-notify/test")]]])
        #expect(item["Item"]?["Fingerprint"]?["S"]?.string?.count == 64)
        // Each scheduled job starts from a fresh clone: no notes fetched, and still no repeat.
        let runner = try origin.bareClone()
        #expect(try runner.git(["for-each-ref", "refs/notes"]).isEmpty, "a clone brings no notes")
        #expect(try runner.ballast(["drift", "--notify", webhook.url]).status == 2)
        #expect(posts.current == 1, "the same drift, known from the table, is not news")
    }
}
