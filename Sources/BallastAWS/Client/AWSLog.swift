import BallastCore
import FoundationEssentials

/// Debug logging of requests (`--debug` or `BALLAST_LOG=debug`): method, URL,
/// headers with credentials redacted, sizes and timings. Bodies are never
/// logged: some carry tokens (AssumeRoleWithWebIdentity) or credentials (STS answers).
public struct AWSLog: Sendable {
    let sink: @Sendable (String) -> Void

    public init(sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    /// Logs to stderr when `BALLAST_LOG=debug`, else nil.
    public static func fromEnvironment(_ environment: [String: String], force: Bool = false) -> AWSLog? {
        guard force || environment["BALLAST_LOG"]?.lowercased() == "debug" else { return nil }
        // Errors quote AWS's answers, which may echo secrets or hold control characters.
        return AWSLog {
            StandardStream.error.write("debug: " + Secrets.scrub(UntrustedText.line($0)) + "\n")
        }
    }

    func request(_ request: HTTPRequest, operation: String, attempt: Int) {
        let headers = request.headers.map { "\($0.name): \(Redaction.header($0.name, $0.value))" }.joined(
            separator: "; ")
        sink(
            "-> \(operation) attempt \(attempt): \(request.method) \(request.url) [\(headers)] body "
                + "\(request.body.count) bytes"
        )
    }

    func response(_ response: HTTPResponse, operation: String, milliseconds: Int) {
        let id = response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"] ?? "-"
        sink(
            "<- \(operation): HTTP \(response.status) in \(milliseconds) ms, \(response.body.count) bytes, "
                + "request id \(id)"
        )
    }

    func failure(_ error: Error, operation: String, retryIn seconds: Double?) {
        let next = seconds.map { "; retrying in \(Figures.fixed($0, digits: 2)) s" } ?? "; not retrying"
        sink("<- \(operation): \(error)\(next)")
    }
}
