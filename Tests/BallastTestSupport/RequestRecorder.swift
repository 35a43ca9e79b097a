import Foundation

/// A loopback proxy in front of both moto servers (and so their stand-ins) that keeps every request ballast
/// sends, for checking them against botocore's models (Tests/BallastCLITests/Contracts).
public final class RequestRecorder: Sendable {
    public let strict: LoopbackHTTPServer
    public let unauthenticated: LoopbackHTTPServer
    private let log = Locked<[String]>([])

    public init() throws {
        let log = log
        func proxy(to upstream: Int) throws -> LoopbackHTTPServer {
            try LoopbackHTTPServer { request in
                log.update { $0.append(Self.line(request)) }
                return LoopbackHTTPServer.forward(request, toPort: upstream).map { .raw($0) } ?? .drop
            }
        }
        strict = try proxy(to: MotoServer.shared.port)
        unauthenticated = try proxy(to: MotoServer.unauthenticated.port)
    }

    /// The environment of `MotoServer.shared`, with every service going through the recorder.
    public var environment: [String: String] {
        var variables = MotoServer.shared.environment
        variables["AWS_ENDPOINT_URL"] = strict.url
        for service in MotoServer.unauthenticatedServices {
            variables["AWS_ENDPOINT_URL_" + service] = unauthenticated.url
        }
        return variables
    }

    /// Every request so far as JSON lines: method, target, lower-case headers, body in base64.
    public var jsonLines: String { log.current.joined(separator: "\n") + "\n" }
    public var count: Int { log.current.count }

    static func line(_ request: LoopbackHTTPServer.Request) -> String {
        let raw = request.raw
        var start = raw.count
        for index in 0..<max(0, raw.count - 3) where raw[index..<index + 4].elementsEqual([13, 10, 13, 10]) {
            start = index + 4
            break
        }
        let body = Data(raw[min(start, raw.count)...]).base64EncodedString()
        let object: [String: Any] = [
            "method": request.method, "target": request.path, "headers": request.headers, "body": body,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs a checker script over every recorded request (JSON lines on its stdin).
    public func run(_ script: String, _ arguments: [String] = []) throws -> Run.Result {
        try Self.run(script, arguments, lines: jsonLines)
    }

    /// Runs a checker script over requests as JSON lines (a recorder's, or the in-memory AWS's).
    public static func run(_ script: String, _ arguments: [String] = [], lines: String) throws -> Run.Result {
        let input = NSTemporaryDirectory() + "ballast-requests-" + UUID().uuidString + ".jsonl"
        try lines.write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(
            separator: " ")
        return try Run.process("/bin/sh", ["-c", "python3 \"$0\" \(quoted) < \"$1\"", script, input])
    }

    /// Runs botocore's models over every recorded request; returns the violations, one a line.
    public func violations(checker: String) throws -> (problems: [String], summary: String) {
        try Self.violations(checker: checker, lines: jsonLines)
    }

    /// botocore's models over requests as JSON lines; the violations, one a line.
    public static func violations(checker: String, lines: String) throws -> (problems: [String], summary: String) {
        let result = try run(checker, lines: lines)
        let problems = result.stdout.split(separator: "\n").map(String.init)
        // Exit 1 with problems listed is a verdict; any other failure (a Python traceback exits 1
        // too, with nothing listed) is the checker's own, and never a pass.
        guard result.status == 0 || result.status == 1 && !problems.isEmpty else {
            throw TestFailure("the request checker failed (exit \(result.status)): \(result.stderr)")
        }
        return (problems, result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
