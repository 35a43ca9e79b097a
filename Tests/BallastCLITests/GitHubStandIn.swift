import BallastCore
import BallastTestSupport
import Foundation

/// GitHub for the tests: `GitHub/github_standin.py` on a free loopback port, which
/// checks every request and response against GitHub's OpenAPI description of the
/// operations ballast uses. One per test (its state is the test's); stopped on deinit.
final class GitHubStandIn: @unchecked Sendable {
    let port: Int
    /// `ghs_…`, an installation token as GitHub Actions' GITHUB_TOKEN is; `ghp_…` a user's (`octo-ops`).
    let token: String
    let repository = "octo-org/ops-config"
    private let service: LoopbackService
    var url: String { "http://127.0.0.1:\(port)" }

    init(installation: Bool = true) throws {
        token = (installation ? "ghs_standin" : "ghp_standin")
            + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        port = try LoopbackPort.free()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("GitHub/github_standin.py").path
        service = try LoopbackService("python3 \"\(script)\" \(token) \(port)", port: port,
                                      name: "the GitHub stand-in (scripts/install-deps.sh installs openapi-core)")
    }

    deinit { service.stop() }

    /// What `ballast comment` and `drift --github-issue` need, pointed here.
    var environment: [String: String] {
        ["GITHUB_TOKEN": token, "GITHUB_REPOSITORY": repository, "GITHUB_API_URL": url]
    }

    func control(_ path: String, _ body: Value? = nil) throws -> Value {
        var arguments = ["-sS", "--max-time", "10", url + "/_standin/" + path]
        if let body { arguments += ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary",
            JSON.encode(body)] }
        let result = try Run.process("/usr/bin/env", ["curl"] + arguments)
        guard result.status == 0 else { throw TestFailure("stand-in control \(path): \(result.stderr)") }
        return try JSON.parse(result.stdout)
    }

    /// The comments on issue or pull request `number`, oldest first.
    func comments(on number: Int) throws -> [String] {
        (try control("state")["comments"]?[String(number)]?.list ?? []).compactMap { $0[1]?.string }
    }

    /// (requests checked, violations of GitHub's description).
    func checks() throws -> (requests: Int, violations: [String]) {
        let checks = try control("checks")
        return (checks["requests"]?.int ?? 0, (checks["violations"]?.list ?? []).compactMap(\.string))
    }
}
