import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast comment` against the GitHub stand-in, which checks each request and
/// response against GitHub's OpenAPI description.
@Suite struct CommentCommandTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "ballast-comment-" + UUID().uuidString + ".md"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aSecondPostEditsTheFirstCommentFoundPastThe100ThComment() async throws {
        let github = try GitHubStandIn()
        // 250 comments by people first: the earlier ballast comment is on the third page.
        _ = try github.control("seed", ["comments": ["42": .list((0..<250).map { .string("LGTM \($0)") })]])
        let first = try write("<!-- ballast:prod -->\n**prod**: 3 to change · `abc1234`\n")
        let posted = try Run.ballast(["comment", first, "--pr", "42"], environment: github.environment)
        #expect(posted.status == 0, "\(posted.stderr)")
        #expect(posted.stderr.contains("posted https://github.example/octo-org/ops-config/pull/42#issuecomment-"))
        _ = try github.control("seed", ["comments": ["42": .list((0..<30).map { .string("more \($0)") })]])
        let second = try write("<!-- ballast:prod -->\n**prod**: no changes · `def5678`\n")
        let updated = try Run.ballast(["comment", second, "--pr", "42"], environment: github.environment)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stderr.contains("updated "))
        let ours = try github.comments(on: 42).filter { $0.contains("<!-- ballast:prod -->") }
        #expect(ours == ["<!-- ballast:prod -->\n**prod**: no changes · `def5678`\n"])
        // Another key is another comment.
        let staging = try Run.ballast(["comment", second, "--pr", "42", "--key", "staging"],
            environment: github.environment)
        #expect(staging.status == 0)
        #expect(try github.comments(on: 42).filter { $0.hasPrefix("<!-- ballast:") }.count == 2)
        let checks = try github.checks()
        #expect(checks.violations.isEmpty, "\(checks.violations)")
        #expect(checks.requests >= 9)
        print("GitHub requests checked against the OpenAPI description: \(checks.requests)")
        for output in [posted, updated, staging] { #expect(!(output.stdout + output.stderr).contains(github.token)) }
    }

    @Test func thePullRequestComesFromTheWorkflowEventAndTheStepSummaryGetsTheComment() async throws {
        let github = try GitHubStandIn()
        let event = try write(#"{"action":"synchronize","number":7,"pull_request":{"number":7}}"#)
        let summary = try write("# earlier step\n")
        let file = try write("<!-- ballast:prod -->\nhello\n")
        let result = try Run.ballast(["comment", file], environment: github.environment.merging(
            ["GITHUB_EVENT_PATH": event, "GITHUB_STEP_SUMMARY": summary]) { $1 })
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try github.comments(on: 7) == ["<!-- ballast:prod -->\nhello\n"])
        #expect(try String(contentsOfFile: summary, encoding: .utf8)
            == "# earlier step\n<!-- ballast:prod -->\nhello\n")
        let checks = try github.checks()
        #expect(checks.violations.isEmpty, "\(checks.violations)")
        print("GitHub requests checked against the OpenAPI description: \(checks.requests)")
    }

    @Test func refusalsAndRateLimitsSayWhatToDoAndNeverShowTheToken() async throws {
        let github = try GitHubStandIn()
        let file = try write("<!-- ballast:prod -->\nhello\n")
        func run(_ environment: [String: String] = [:]) throws -> Run.Result {
            try Run.ballast(
                ["comment", file, "--pr", "9"], environment: github.environment.merging(environment) { $1 })
        }
        let cases: [(Value, String)] = [
            (
                ["status": 403, "body": ["message": "Resource not accessible by integration"]],
                "GitHub forbade GET /repos/octo-org/ops-config/issues/9/comments (HTTP 403: Resource not "
                    + "accessible by integration); "
                    + "the workflow needs `permissions: pull-requests: write`"
            ),
            (
                ["status": 404, "body": ["message": "Not Found"]],
                "GitHub has no GET /repos/octo-org/ops-config/issues/9/comments (HTTP 404"
            ),
            (
                [
                    "status": 403, "headers": ["x-ratelimit-remaining": "0", "x-ratelimit-reset": "1795417200"],
                    "body": ["message": "API rate limit exceeded"],
                ],
                "GitHub's rate limit stopped GET /repos/octo-org/ops-config/issues/9/comments (HTTP 403). The "
                    + "limit resets at 2026-11-23T07:00:00Z."
            ),
            (
                ["status": 429, "headers": ["retry-after": "60"], "body": ["message": "secondary rate limit"]],
                "(HTTP 429). Retry after 60 s."
            ),
            (
                [
                    "status": 422,
                    "body": ["message": "Validation Failed", "errors": [["message": "body is too long"]]],
                ],
                "(HTTP 422: Validation Failed; body is too long)"
            ),
        ]
        for (failure, expected) in cases {
            guard case .map(var fields) = failure else { continue }
            fields["path"] = "/repos/octo-org/ops-config/issues/9/comments"  // after ballast asks who it is
            _ = try github.control("fail", .map(fields))
            let result = try run()
            #expect(result.status == 1)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains(github.token))
        }
        let badToken = try run(["GITHUB_TOKEN": "wrong-token-value"])
        #expect(badToken.stderr.contains("GitHub refused the token"))
        #expect(!badToken.stderr.contains("wrong-token-value"))
        let noToken = try run(["GITHUB_TOKEN": ""])
        #expect(noToken.status == 1 && noToken.stderr.contains("GITHUB_TOKEN is not set"))
        let tooLong = try write(String(repeating: "x", count: 70_000))
        let refused = try Run.ballast(["comment", tooLong, "--pr", "9"], environment: github.environment)
        #expect(refused.status == 1 && refused.stderr.contains("GitHub takes at most 65536"))
        #expect(try github.comments(on: 9).isEmpty)
        let checks = try github.checks()
        #expect(checks.violations.isEmpty, "\(checks.violations)")
        print("GitHub requests checked against the OpenAPI description: \(checks.requests)")
    }
}
