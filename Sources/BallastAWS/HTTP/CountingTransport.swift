import Foundation

/// A transport that counts the requests it sends (AWS API calls, retries included),
/// for `watch`'s `ballast_api_requests_total`.
public final class CountingTransport: HTTPTransport, @unchecked Sendable {
    private let base: any HTTPTransport
    private let lock = NSLock()
    private var sent = 0

    public init(_ base: any HTTPTransport) {
        self.base = base
    }

    public var count: Int { lock.withLock { sent } }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { sent += 1 }
        return try await base.send(request)
    }
}
