import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `drift --github-issue` on a schedule: one issue per drifted environment, opened,
/// edited when the drift changes, left alone when it does not, closed when in sync.
@Suite struct DriftIssueTests {
    @Test func oneIssueFollowsAnEnvironmentsDriftUntilItIsBackInSync() async throws {
        let github = try GitHubStandIn()
        // Someone's own issue with the label is not ballast's: never edited or closed.
        _ = try github.control("seed", ["issues": [["title": "Drift in test", "body": "by hand",
            "labels": ["ballast-drift"], "state": "open"]]])
        let group = "/ballast/" + uniqueName("issue"), alarm = uniqueName("issue") + "-<b>@octo-org"
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, ["AlarmDescription": "Pages on-call"])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::CloudWatch::Alarm, id: "\(alarm)", properties: {AlarmDescription: Pages on-call}}
            """ + "\n")
        func drift() throws -> Run.Result { try repo.ballast(["drift", "--github-issue"], github.environment) }
        func issues() throws -> [Value] { try github.control("state")["issues"]?.list ?? [] }

        let opened = try drift()
        #expect(opened.status == 2, "\(opened.stderr)")
        #expect(
            opened.stderr.contains(
                "opened the drift issue for test: https://github.example/octo-org/ops-config/issues/2"))
        var ours = try #require(try issues().last)
        #expect(ours["title"] == "Drift in test" && ours["labels"] == ["ballast-drift"] && ours["state"] == "open")
        let body = ours["body"]?.string ?? ""
        #expect(body.hasPrefix("<!-- ballast:drift-issue:test -->\n<!-- ballast-drift:"))
        #expect(body.contains("**test**: 1 drifted · `") && body.contains("`RetentionInDays` `7` → `30`"))

        #expect(try drift().status == 2)
        #expect(try issues().count == 2, "the same drift again neither edits nor duplicates")
        #expect(try github.control("state")["requests"]?.list?.filter { $0.string?.hasPrefix("PATCH")
            == true }.isEmpty == true)

        // More drift: the alarm's description changes by hand; the issue is edited.
        try await putSeedAlarm(alarm, description: "silenced during INC-7")
        let edited = try drift()
        #expect(edited.stderr.contains("updated the drift issue for test"), "\(edited.stderr)")
        ours = try #require(try issues().last)
        #expect(ours["body"]?.string?.contains("**test**: 2 drifted") == true)
        let html = try CMark.render(ours["body"]?.string ?? "")
        #expect(!html.contains("<b>@octo-org</b>") && html.contains("&lt;b&gt;@octo-org"))

        // Back in sync: a closing comment, then the issue is closed.
        try await setRetention(group, 30)
        try await putSeedAlarm(alarm, description: "Pages on-call")
        let closed = try drift()
        #expect(closed.status == 0, "\(closed.stderr)")
        #expect(closed.stderr.contains("closed the drift issue for test (back in sync)"))
        #expect(try issues().map { $0["state"]?.string ?? "" } == ["open", "closed"])
        #expect(try github.comments(on: 2).first?.hasPrefix("**test** is back in sync: 2 resources at `") == true)
        let checks = try github.checks()
        #expect(checks.violations.isEmpty, "\(checks.violations)")
        print("GitHub requests checked against the OpenAPI description: \(checks.requests)")
    }

    /// Held drift is listed in a section of its own and is not open drift: an issue opened for real drift
    /// keeps the held change apart, and once only held drift is left the issue is closed, saying so.
    @Test func heldDriftHasASectionOfItsOwnAndIsNotOpenDrift() async throws {
        let github = try GitHubStandIn()
        let (held, open) = ("/ballast/" + uniqueName("held"), "/ballast/" + uniqueName("open"))
        try await seeder().create("AWS::Logs::LogGroup", id: held, ["RetentionInDays": 7])
        try await seeder().create("AWS::Logs::LogGroup", id: open, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(held), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(open), properties: {RetentionInDays: 30}}
            """ + "\n")
        let hold = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", held, "--for",
                                     "1h", "--reason", "INC-7: keep a week of logs only"])
        #expect(hold.status == 0, "\(hold.stderr)")
        let opened = try repo.ballast(["drift", "--github-issue"], github.environment)
        #expect(opened.status == 2, "\(opened.stderr)")
        let body = try #require(try github.control("state")["issues"]?.list?.last?["body"]?.string)
        #expect(body.contains("**test**: 1 drifted, 1 held"), "\(body)")
        #expect(body.contains("#### ✋ Held: hand changes kept for now, not written (`ballast hold`)"), "\(body)")
        #expect(body.contains("INC\\-7"), "\(body)")
        let html = try CMark.render(body)
        #expect(html.contains("<table>"), "the held section renders as a table")

        try await setRetention(open, 30)
        let closed = try repo.ballast(["drift", "--github-issue"], github.environment)
        #expect(closed.status == 0, "\(closed.stdout)\(closed.stderr)")
        let comments = try github.comments(on: 1)
        #expect(comments.first?.hasPrefix("**test** has no open drift (1 held: hand changes kept for now)") == true,
                "\(comments)")
    }
}
