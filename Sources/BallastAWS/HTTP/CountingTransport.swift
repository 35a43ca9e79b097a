import BallastCore
import FoundationEssentials

/// A transport that counts the requests it sends (AWS API calls, retries included) and
/// the answers that were throttling, for `watch`'s `ballast_api_requests_total` and progress lines.
public final class CountingTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let lock = Lock()
    private var sent = 0
    private var throttles = 0

    public init(_ base: any HTTPTransport) {
        self.base = base
    }

    public var count: Int { lock.withLock { sent } }
    public var throttled: Int { lock.withLock { throttles } }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { sent += 1 }
        let response = try await base.send(request)
        if Self.isThrottling(response) { lock.withLock { throttles += 1 } }
        return response
    }

    /// 429, or an error answer naming one of the throttling codes the retry policy knows.
    static func isThrottling(_ response: HTTPResponse) -> Bool {
        if response.status == 429 { return true }
        guard response.status == 400 || response.status == 503 else { return false }
        let head = String(decoding: response.body.prefix(512), as: UTF8.self)
        return RetryPolicy.throttlingCodes.contains { head.contains($0) }
    }
}
