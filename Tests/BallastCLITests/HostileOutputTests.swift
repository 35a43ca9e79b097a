import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Anyone who can edit an alarm's description, or name a folder, writes into
/// ballast's output: none of it may drive a terminal or a rendered comment.
@Suite struct HostileOutputTests {
    /// What an alarm description can hold (moto's XML cannot carry C0 controls; JSON APIs can, and the
    /// folder name below does).
    static let hostile = "`<img src=x onerror=alert(1)>` <details open><summary>click</summary> @octo-org/oncall #123 "
        + "\u{202E}txet\u{202C} DEL\u{7F} C1\u{9B}31m | ``` ``` done\nsecond line"

    /// An alarm whose live description is hostile, in an environment whose folder
    /// name holds an escape sequence and with an id holding a bidi override.
    func repository() async throws -> (TempRepository, String) {
        let alarm = uniqueName("hostile") + "\u{202E}gpj.exe"
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, ["AlarmDescription": .string(Self.hostile)])
        let environment = "ops\u{1B}]0;title\u{07}"
        let repo = try TempRepository()
        try repo.commit(
            [
                "desired-state/\(environment)/environment.yaml": Fixture.environment,
                "desired-state/\(environment)/alarms.yaml":
                    "resources:\n  - {type: AWS::CloudWatch::Alarm, id: \"\(alarm)\", properties: "
                        + "{AlarmDescription: Pages on-call}}\n",
            ],
            message: "hostile")
        return (repo, alarm)
    }

    @Test func theTerminalSeesEscapesNotControlSequences() async throws {
        let (repo, _) = try await repository()
        for arguments in [["drift"], ["plan"]] {
            let result = try repo.ballast(arguments)
            #expect(result.status == 2, "\(result.stderr)")
            let output = result.stdout + result.stderr
            for hazard in ["\u{1B}", "\u{07}", "\u{7F}", "\u{9B}", "\u{202E}", "\u{202C}"] {
                #expect(!output.unicodeScalars.contains(hazard.unicodeScalars.first!),
                    "\(arguments): \(hazard.debugDescription)")
            }
            #expect(output.contains("ops\\x1B]0;title\\x07 (us-east-1)"))
            #expect(output.contains("\\u{202E}gpj.exe"))
            #expect(!output.contains("\nsecond line"))
        }
    }

    @Test func aPlanCommentRendersEveryValueLiterallyInGitHubsRenderer() async throws {
        let (repo, _) = try await repository()
        for command in ["plan", "drift"] {
            let comment = try repo.ballast([command, "--output", "markdown"])
            #expect(comment.status == 2, "\(comment.stderr)")
            let html = try CMark.render(comment.stdout)
            #expect(!html.contains("<img"))
            #expect(!html.contains("<details open"))
            #expect(!html.contains("<summary>click"))
            // The value shows literally: in the table cell, and in the details block's table.
            #expect(html.components(separatedBy: "&lt;img src=x onerror=alert(1)&gt;").count - 1 == 2, "\(html)")
            // Outside code spans, nothing of the value is left: no mention, no issue reference.
            let prose = html.replacingOccurrences(of: "<code>[^<]*</code>", with: "", options: .regularExpression)
            #expect(!prose.contains("@octo-org"))
            #expect(!prose.contains("#123"))
            #expect(!prose.contains("\u{202E}"))
            // Our one details block (its summary's id escaped), and the tables stay tables:
            // the resource's row (four cells) and its property row in the details (four cells).
            #expect(html.components(separatedBy: "<details>").count - 1 == 1)
            #expect(html.contains("<summary><code>AWS::CloudWatch::Alarm</code> <code>"))
            #expect(CMark.rowCells(html).filter { $0 > 0 } == [4, 4], "\(html)")
            // The marker `ballast comment` finds survives the environment's escape sequence.
            #expect(comment.stdout.hasPrefix("<!-- ballast:ops__0_title_ -->\n"))
        }
    }

    @Test func watchLabelsAndLogLinesCarryHostileNamesEscaped() async throws {
        let (repo, _) = try await repository()
        let watch = try WatchTests.Watch(["--interval", "1s"], repo: repo)
        _ = try watch.lastRun()
        let metrics = try watch.metrics()
        // The label as Prometheus' own parser reads it: the escape sequence shown, not sent.
        #expect(metrics["ballast_resources{environment=ops\\x1B]0;title\\x07,status=modified}"] == 1,
            "\(metrics.keys.sorted())")
        #expect(try watch.stop() == 0)
        for hazard in ["\u{1B}", "\u{07}", "\u{202E}", "\u{9B}"] {
            #expect(!watch.stderr.unicodeScalars.contains(hazard.unicodeScalars.first!), "\(hazard.debugDescription)")
        }
    }

    @Test func errorBodiesThatEchoCredentialsAreScrubbed() async throws {
        let group = "/ballast/" + uniqueName("echo")
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        // An endpoint that answers every call with an error quoting the request's secrets back.
        let echo = try LoopbackHTTPServer { request in
            let quoted = "Authorization: \(request.headers["authorization"] ?? "") Token: "
                + "\(request.headers["x-amz-security-token"] ?? "")"
            let body = #"{"__type":"InvalidParameterException","message":"#
                + String(decoding: try! JSONSerialization.data(withJSONObject: [quoted],
                    options: [.withoutEscapingSlashes]),
                         as: UTF8.self).dropFirst().dropLast() + "}"
            return .response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"],
                body: Array(body.utf8))
        }
        let token = "FwoGZXIvYXdzEJr-session-token-" + UUID().uuidString
        let secret = "wJalrXUtnFEMI-secret-" + UUID().uuidString
        let result = try repo.ballast(["drift", "--debug"], ["AWS_ENDPOINT_URL": echo.url, "AWS_SESSION_TOKEN": token,
                                                             "AWS_ACCESS_KEY_ID": "AKIAECHOTEST00001",
                                                                 "AWS_SECRET_ACCESS_KEY": secret,
                                                             "AWS_MAX_ATTEMPTS": "1"])
        let output = result.stdout + result.stderr
        #expect(output.contains("InvalidParameterException"), "\(output)")
        #expect(output.contains("Signature=<redacted>"))
        #expect(!output.contains(token))
        #expect(!output.contains(secret))
        #expect(!output.contains("AKIAECHOTEST00001"))
    }
}
