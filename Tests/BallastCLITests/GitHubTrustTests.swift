import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// ballast acts only on GitHub objects it wrote itself: a comment or issue is its own when the
/// token's identity wrote it and its marker is the whole first line. Markers in anyone else's
/// text, or in live values rendered into ballast's own bodies, are never taken as one.
@Suite struct GitHubTrustTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "ballast-trust-" + UUID().uuidString + ".md"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: [true, false])
    func aReviewersCommentWithTheMarkerIsNeverEdited(installationToken: Bool) async throws {
        let github = try GitHubStandIn(installation: installationToken)
        let lgtm = "<!-- ballast:prod -->\nLGTM, ship it"
        let quoted = "> <!-- ballast:prod -->\n> **prod**: 3 to change\nwhy 3?"
        _ = try github.control("seed", ["comments": ["42": [["body": .string(lgtm), "author": "octo-reviewer"],
                                                           ["body": .string(quoted), "author": "octo-reviewer"]]]])
        let file = try write("<!-- ballast:prod -->\n**prod**: 3 to change · `abc1234`\n")
        let first = try Run.ballast(["comment", file, "--pr", "42"], environment: github.environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("posted "), "\(first.stderr)")
        let second = try write("<!-- ballast:prod -->\n**prod**: no changes\n")
        let again = try Run.ballast(["comment", second, "--pr", "42"], environment: github.environment)
        #expect(again.stderr.contains("updated "), "\(again.stderr)")
        #expect(try github.comments(on: 42) == [lgtm, quoted, "<!-- ballast:prod -->\n**prod**: no changes\n"])
        let requests = try github.control("state")["requests"]?.list?.compactMap(\.string) ?? []
        #expect(requests.contains("GET /user"))
        #expect(requests.contains("POST /graphql") == installationToken)
        let checks = try github.checks()
        #expect(checks.violations.isEmpty, "\(checks.violations)")
    }

    @Test func aDriftIssueIsFoundOnlyByItsAuthorAndFirstLineNeverByLiveText() async throws {
        let github = try GitHubStandIn()
        // A person's issue carrying prod's marker and the label: not ballast's.
        _ = try github.control("seed", ["issues": [["title": "Drift in prod",
            "body": "<!-- ballast:drift-issue:prod -->\nmine",
            "labels": ["ballast-drift"], "state": "open", "author": "octo-reviewer"]]])
        let alarm = uniqueName("marker"), group = "/ballast/" + uniqueName("marker")
        // The live description carries staging's marker; prod's issue body shows it.
        try await putSeedAlarm(alarm, description: "x <!-- ballast:drift-issue:staging --> y")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        let repo = try TempRepository()
        try repo.commit([
            "desired-state/prod/environment.yaml": "region: us-east-1\n",
            "desired-state/prod/alarms.yaml": "resources:\n  - {type: AWS::CloudWatch::Alarm, id: \(alarm), "
                + "properties: {AlarmDescription: pages on-call}}\n",
            "desired-state/staging/environment.yaml": "region: us-east-1\n",
            "desired-state/staging/logs.yaml": "resources:\n  - {type: AWS::Logs::LogGroup, id: \(group), "
                + "properties: {RetentionInDays: 30}}\n",
        ], message: "two environments")
        func issues() throws -> [Value] { try github.control("state")["issues"]?.list ?? [] }

        let opened = try repo.ballast(["drift", "--github-issue"], github.environment)
        #expect(opened.status == 2, "\(opened.stderr)")
        #expect(try issues().count == 2)
        let body = try #require(try issues().last?["body"]?.string)
        #expect(!body.contains("<!-- ballast:drift-issue:staging -->"), "a live value's marker is rendered inert")
        #expect(body.contains("ballast:drift-issue:staging"), "and still shown")

        // Staging is in sync: it closes nothing of prod's, and the person's issue is untouched.
        let second = try repo.ballast(["drift", "--github-issue"], github.environment)
        #expect(second.status == 2, "\(second.stderr)")
        #expect(!second.stderr.contains("closed"), "\(second.stderr)")
        #expect(try issues().map { $0["state"]?.string ?? "" } == ["open", "open"])
        #expect(try issues().first?["body"] == "<!-- ballast:drift-issue:prod -->\nmine")
        #expect(try github.comments(on: 2).isEmpty)
        let checks = try github.checks()
        #expect(checks.violations.isEmpty, "\(checks.violations)")
    }

    /// Not GitHub's shape: a list endpoint answering an object, an answer that is not JSON.
    @Test func anAnswerThatIsNotWhatGitHubSendsIsAnErrorNamingGitHub() async throws {
        let github = try GitHubStandIn()
        let file = try write("<!-- ballast:prod -->\nhello\n")
        _ = try github.control("fail", ["status": 200, "body": ["message": "a proxy's page"], "times": 1,
                                        "path": "/repos/octo-org/ops-config/issues/5/comments"])
        let object = try Run.ballast(["comment", file, "--pr", "5"], environment: github.environment)
        #expect(object.status == 1, "\(object.stderr)")
        #expect(object.stderr.contains(
            "GitHub's answer to GET /repos/octo-org/ops-config/issues/5/comments is not a list"), "\(object.stderr)")
        #expect(try github.comments(on: 5).isEmpty)

        _ = try github.control("fail", ["status": 200, "raw": "<html>sign in</html>", "times": 1,
                                        "path": "/repos/octo-org/ops-config/issues/5/comments"])
        let html = try Run.ballast(["comment", file, "--pr", "5"], environment: github.environment)
        #expect(html.status == 1)
        #expect(html.stderr.contains("GitHub's answer to GET /repos/octo-org/ops-config/issues/5/comments (HTTP 200) "
            + "is not JSON"), "\(html.stderr)")
        #expect(try github.comments(on: 5).isEmpty)
    }

    /// GITHUB_STEP_SUMMARY names a file the runner has not made yet: created, as `>>` does.
    @Test func aStepSummaryFileThatDoesNotExistIsCreated() async throws {
        let github = try GitHubStandIn()
        let file = try write("<!-- ballast:prod -->\nhello\n")
        let summary = NSTemporaryDirectory() + "ballast-summary-" + UUID().uuidString + ".md"
        defer { try? FileManager.default.removeItem(atPath: summary) }
        let result = try Run.ballast(["comment", file, "--pr", "3"],
                                     environment: github.environment.merging(["GITHUB_STEP_SUMMARY": summary]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: summary, encoding: .utf8) == "<!-- ballast:prod -->\nhello\n")
    }
}
