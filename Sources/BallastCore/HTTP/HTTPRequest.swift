/// One HTTP request as ballast sends it. `url` is the wire form: scheme, host,
/// optional port, percent-encoded path and query.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Awaited by the transport once the request has a connection, just before it goes out: the
    /// pacer's send-time gate (a transport without a pool may send at once and skip it).
    public var whenSending: (@Sendable () async -> Void)?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers.map { (name: $0.0, value: $0.1) }
        self.body = body
    }

    /// Replaces every header of that name (case-insensitively).
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name: name, value: value))
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// `host[:port]` from the URL, without any `user:password@` before it (libcurl sends
    /// those as the URL's own credentials; they are never part of the host).
    public var hostHeader: String? {
        guard let (bytes, authority) = urlParts else { return nil }
        let start = bytes[authority].lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 } ?? authority.lowerBound
        return String(decoding: bytes[start..<authority.upperBound], as: UTF8.self)
    }

    /// The path (default `/`) and the query string without `?`.
    public var pathAndQuery: (String, Substring) {
        guard let (bytes, authority) = urlParts else { return ("/", "") }
        let pathEnd = bytes[authority.upperBound...].firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
        let path = String(decoding: bytes[authority.upperBound..<pathEnd], as: UTF8.self)
        let query = pathEnd < bytes.count ? Substring(String(decoding: bytes[(pathEnd + 1)...], as: UTF8.self)) : ""
        return (path.isEmpty ? "/" : path, query)
    }

    /// The URL's bytes and its authority (between `://` and the first `/`, `?` or `#`) as offsets
    /// into them. Byte scans, not Foundation's `range(of:)`: signing asks for the host and the path
    /// on every request, and the string search was most of the signer's time in perf.
    private var urlParts: (bytes: [UInt8], authority: Range<Int>)? {
        let bytes = Array(url.utf8)
        guard let scheme = bytes.indices.dropLast(2).first(where: {
            bytes[$0] == UInt8(ascii: ":") && bytes[$0 + 1] == UInt8(ascii: "/") && bytes[$0 + 2] == UInt8(ascii: "/")
        }) else { return nil }
        let start = scheme + 3
        let end = bytes[start...].firstIndex { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }   // / ? #
        return (bytes, start..<(end ?? bytes.count))
    }
}

/// A response: status, headers with lower-cased names, body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The one method a transport needs. libcurl implements it; tests may wrap it.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// The request never got an HTTP answer (refused, reset, timed out, DNS).
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let isTimeout: Bool
    /// The task that waited for it was cancelled: nothing to retry.
    public let isCancelled: Bool

    public init(_ message: String, isTimeout: Bool = false, isCancelled: Bool = false) {
        self.message = message
        self.isTimeout = isTimeout
        self.isCancelled = isCancelled
    }

    public var description: String { message }
}
