import Foundation

/// A transport that counts the requests it sends (AWS API calls, retries included) and
/// the answers that were throttling, for `watch`'s `ballast_api_requests_total` and progress lines.
public final class CountingTransport: HTTPTransport, @unchecked Sendable {
    private var base: any HTTPTransport
    private let lock = NSLock()
    private var sent = 0
    private var throttles = 0

    public init(_ base: any HTTPTransport) {
        self.base = base
    }

    /// An empty counter, to hand to progress before the transport it counts exists (`wrapping`).
    public convenience init() {
        self.init(Unset())
    }

    /// Stands in until `wrapping` gives the real transport.
    private struct Unset: HTTPTransport {
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            throw TransportError("no transport to count yet")
        }
    }

    /// This counter, now counting `transport` (before any request is sent).
    public func wrapping(_ transport: any HTTPTransport) -> CountingTransport {
        lock.withLock { base = transport }
        return self
    }

    public var count: Int { lock.withLock { sent } }
    public var throttled: Int { lock.withLock { throttles } }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let base = lock.withLock { () -> any HTTPTransport in
            sent += 1
            return self.base
        }
        let response = try await base.send(request)
        if Self.isThrottling(response) { lock.withLock { throttles += 1 } }
        return response
    }

    /// 429, or a 400/503 whose error code says so (Throttling, ThrottlingException, TooManyRequests,
    /// RequestLimitExceeded, SlowDown): the codes AWS's retry guidance names as throttling.
    static func isThrottling(_ response: HTTPResponse) -> Bool {
        if response.status == 429 { return true }
        guard response.status == 400 || response.status == 503 else { return false }
        let head = String(decoding: response.body.prefix(512), as: UTF8.self)
        return ["Throttl", "TooManyRequests", "RequestLimitExceeded", "SlowDown"].contains { head.contains($0) }
    }
}
