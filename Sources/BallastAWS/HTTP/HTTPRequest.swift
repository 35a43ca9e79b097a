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
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let authority = url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority)
    }

    /// The path (default `/`) and the query string without `?`.
    public var pathAndQuery: (String, Substring) {
        guard let schemeEnd = url.range(of: "://") else { return ("/", "") }
        let rest = url[schemeEnd.upperBound...]
        let afterHost = rest.drop { $0 != "/" && $0 != "?" }
        let path = afterHost.prefix { $0 != "?" }
        let query = afterHost.dropFirst(path.count).dropFirst()
        return (path.isEmpty ? "/" : String(path), query)
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

    public init(_ message: String, isTimeout: Bool = false) {
        self.message = message
        self.isTimeout = isTimeout
    }

    public var description: String { message }
}
