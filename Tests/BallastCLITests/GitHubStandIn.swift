import BallastCore
import BallastTestSupport
import Foundation

/// GitHub for the tests: `GitHub/github_standin.py` on a free loopback port, which
/// checks every request and response against GitHub's OpenAPI description of the
/// operations ballast uses. One per test (its state is the test's); stopped on deinit
/// and, like moto, by a watchdog shell when the test process ends.
final class GitHubStandIn: @unchecked Sendable {
    let port: Int
    let token = "ghs_standin" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    let repository = "octo-org/ops-config"
    private let process: Process
    private let log = NSTemporaryDirectory() + "ballast-github-standin-" + UUID().uuidString + ".log"
    var url: String { "http://127.0.0.1:\(port)" }

    init() throws {
        port = try LoopbackPort.free()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("GitHub/github_standin.py").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let parent = ProcessInfo.processInfo.processIdentifier
        // The stand-in's own output goes to a log, never to the test runner's pipes (which
        // an orphan would hold open); the watchdog kills it when the test process is gone.
        process.arguments = ["-c", """
            python3 "\(script)" \(token) \(port) >"\(log)" 2>&1 &
            standin=$!
            echo $standin >"\(log).pid"
            while kill -0 \(parent) 2>/dev/null && kill -0 $standin 2>/dev/null; do sleep 0.5; done
            kill -9 $standin 2>/dev/null
            """]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = Date()
        while !LoopbackPort.accepts(port) {
            guard Date().timeIntervalSince(started) < 30 else {
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestFailure("the GitHub stand-in did not start (scripts/install-deps.sh installs openapi-core): \(output)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    deinit {
        if let pid = (try? String(contentsOfFile: log + ".pid", encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: log)
        try? FileManager.default.removeItem(atPath: log + ".pid")
    }

    /// What `ballast comment` and `drift --github-issue` need, pointed here.
    var environment: [String: String] {
        ["GITHUB_TOKEN": token, "GITHUB_REPOSITORY": repository, "GITHUB_API_URL": url]
    }

    func control(_ path: String, _ body: Value? = nil) throws -> Value {
        var arguments = ["-sS", "--max-time", "10", url + "/_standin/" + path]
        if let body { arguments += ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", JSON.encode(body)] }
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
