import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Every secret ballast holds is registered with the one scrubber before first use, and every
/// output goes through it. Here AWS and GitHub echo all of them back in their error messages
/// (as GitHub's 401 echoes the token and an endpoint may echo a header), and no output of
/// drift, plan, apply, history, comment or the webhook shows any of them.
@Suite struct SecretScrubTests {
    @Test func plantedSecretsAppearInNoOutput() async throws {
        let github = try GitHubStandIn()
        let moto = MotoServer.shared
        let planKey = "plan-key-" + UUID().uuidString
        let posted = Locked<[String]>([])
        let hook = try LoopbackHTTPServer { request in
            posted.update { $0.append(String(decoding: request.raw, as: UTF8.self)) }
            return .response(status: 200, headers: [:], body: Array("ok".utf8))
        }
        let webhook = hook.url + "/services/T0001/B0002/" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let endpointPassword = "ep-" + UUID().uuidString.prefix(8)
        let githubPassword = "gh-" + UUID().uuidString.prefix(8)
        let motoPort = moto.port
        let endpoint = "http://ballast:\(endpointPassword)@127.0.0.1:"
        let held = [moto.environment["AWS_SECRET_ACCESS_KEY"]!, moto.environment["AWS_ACCESS_KEY_ID"]!, github.token,
                    planKey, String(endpointPassword), String(githubPassword)]
        // Every process holds those; the one given --notify holds the webhook's URL too.
        let secrets = held + [webhook]
        let echo = "echoed: " + secrets.joined(separator: " | ")
        // Logs answers every write, and one read, with an error that repeats every secret.
        let echoing = try LoopbackHTTPServer { request in
            let target = request.headers.first { $0.key.lowercased() == "x-amz-target" }?.value ?? ""
            if target.hasSuffix("PutRetentionPolicy") || (target.hasSuffix("DescribeLogGroups")
                && String(decoding: request.raw, as: UTF8.self).contains("/ballast/echo-read")) {
                return .response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"],
                                 body: Array(JSON.encode(["__type": "InvalidParameterException",
                                                          "message": .string(echo)]).utf8))
            }
            return LoopbackHTTPServer.forward(request, toPort: motoPort).map { .raw($0) } ?? .drop
        }
        _ = try github.control(
            "fail",
            [
                "status": 401, "times": 10,
                "body": [
                    "message": .string(
                        "Bad credentials for header Bearer \(github.token) "
                            + echo)
                ],
            ])
        let group = "/ballast/" + uniqueName("echo")
        let unreadable = "/ballast/echo-read-" + UUID().uuidString.prefix(8)
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::Logs::LogGroup", id: unreadable, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(unreadable), properties: {RetentionInDays: 30}}
            """ + "\n")
        let environment = moto.environment.merging(github.environment) { $1 }.merging([
            "BALLAST_PLAN_KEY": planKey,
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": endpoint + "\(echoing.port)",
            "GITHUB_API_URL": github.url.replacingOccurrences(of: "http://", with: "http://octo:\(githubPassword)@"),
        ]) { $1 }
        let files = NSTemporaryDirectory() + "ballast-secrets-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: files) }

        var outputs: [(String, String)] = []
        var notified: [String] = []
        func run(_ arguments: [String]) throws {
            let result = try Run.ballast(arguments + ["--repo", repo.path], environment: environment)
            outputs.append((arguments.joined(separator: " "), result.stdout + result.stderr))
        }
        for format in ["text", "json", "markdown", "sarif", "cfn"] {
            try run(["drift", "--output", format, "--debug", "--out-json", files + "/drift-\(format).json"])
        }
        try run(["drift", "--github-issue", "--notify", webhook, "--notify-always"])
        notified = [outputs.last!.0]
        try run(["plan", "--output", "json", "--out", files + "/plan.json", "--debug"])
        // The unreadable one out of the way, the write fails with the echo: into the journal.
        try repo.commit(["desired-state/test/resources.yaml":
            "resources:\n  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n"],
            message: "one")
        try run(["apply", "--auto-approve", "--debug"])
        try run(["history", "--output", "json"])
        try run(["comment", try write("<!-- ballast:test -->\nhi\n", in: files), "--pr", "4"])
        outputs.append(("git notes", try repo.git(["log", "--notes=ballast", "--format=%N"])))
        for name in try FileManager.default.contentsOfDirectory(atPath: files) {
            outputs.append((name, try String(contentsOfFile: files + "/" + name, encoding: .utf8)))
        }
        outputs.append(("issues", JSON.encode(try github.control("state"))))
        outputs.append(("webhook", posted.current.joined()))
        notified += ["webhook", "issues"]

        // The echo reached the outputs (scrubbed), so the check below is not vacuous.
        #expect(outputs.contains { $0.1.contains("echoed: <redacted>") }, "\(outputs.map(\.1))")
        #expect(outputs.contains { $0.0 == "git notes" && $0.1.contains("echoed: <redacted>") },
                "\(outputs.filter { $0.0.hasPrefix("apply") || $0.0 == "git notes" })")
        #expect(hook.requestCount > 0)
        for (name, text) in outputs {
            for secret in notified.contains(name) ? secrets : held {
                #expect(!text.contains(secret), "\(name) shows a secret: \(text.prefix(2000))")
            }
        }
    }

    /// The CI OIDC token is registered before it is sent: STS's error echoing it shows nothing.
    @Test func aWebIdentityTokenEchoedBySTSIsNotShown() throws {
        let token = "eyJhbGciOiJSUzI1NiJ9." + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let file = NSTemporaryDirectory() + "ballast-oidc-" + UUID().uuidString
        try token.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let sts = try LoopbackHTTPServer { request in
            let body = (String(decoding: request.raw, as: UTF8.self).components(separatedBy: "\r\n\r\n").last ?? "")
                .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            let echo = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>"
                + "bad token in \(body)</Message></Error><RequestId>1</RequestId></ErrorResponse>"
            return .response(status: 400, headers: ["Content-Type": "text/xml"], body: Array(echo.utf8))
        }
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: /x, "
            + "properties: {RetentionInDays: 30}}\n")
        let result = try Run.ballast(["doctor", "--debug", "--repo", repo.path], environment: [
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ci", "AWS_WEB_IDENTITY_TOKEN_FILE": file,
            "AWS_ENDPOINT_URL": sts.url, "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent", "AWS_MAX_ATTEMPTS": "1",
        ])
        #expect(sts.requestCount > 0)
        #expect((result.stdout + result.stderr).contains("bad token in"), "\(result.stdout)\(result.stderr)")
        #expect(!(result.stdout + result.stderr).contains(token), "\(result.stdout)\(result.stderr)")
    }

    func write(_ text: String, in folder: String) throws -> String {
        let path = folder + "/comment.md"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
