import Foundation

/// A loopback proxy in front of moto that behaves as AWS does at its rate limits: each
/// operation has a token bucket (`rate` per second, `burst` at most), and a request without a
/// token gets the service's own throttling answer. It can also hold every answer `latency`
/// seconds, as a far region does. It counts what it let through and what it throttled.
/// With `awsQuotas`, each operation is limited as AWS documents it (`AWSQuotas`) instead.
public final class ThrottlingProxy: @unchecked Sendable {
    public let rate: Double?
    public let burst: Double
    public let latency: Double
    public let awsQuotas: Bool
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    /// Every request let through, and the requests throttled per operation: all the counts below.
    private var requests: [(operation: String, at: Double)] = []
    private var throttledByOperation: [String: Int] = [:]
    private let started = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    private var server: LoopbackHTTPServer!

    public var url: String { server.url }

    /// `rate` nil: no throttling, only latency.
    public init(forwardingTo port: Int, rate: Double? = nil, burst: Double? = nil, latency: Double = 0,
                awsQuotas: Bool = false) throws {
        self.rate = rate
        self.burst = burst ?? rate ?? 0
        self.latency = latency
        self.awsQuotas = awsQuotas
        server = try LoopbackHTTPServer { [unowned self] request in
            // The token is taken as the request arrives (as AWS counts it), the answer held after:
            // a loaded machine's late wake-ups from the hold do not bunch requests up.
            let operation = Self.operation(of: request)
            let allowed = take(operation)
            if latency > 0 { Thread.sleep(forTimeInterval: latency) }
            guard allowed else { return Self.throttlingAnswer(to: request) }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
    }

    public func stop() { server.stop() }

    /// Requests let through per operation, and requests throttled.
    public var counts: (passed: [String: Int], throttled: Int) {
        let (log, throttled) = lock.withLock { (requests, throttledByOperation) }
        return (log.reduce(into: [:]) { $0[$1.operation, default: 0] += 1 }, throttled.values.reduce(0, +))
    }

    /// When each operation was first and last let through, seconds after the proxy started.
    public var arrivals: [String: (first: Double, last: Double)] {
        log.reduce(into: [:]) { seen, request in
            seen[request.operation] = (seen[request.operation]?.first ?? request.at, request.at)
        }
    }

    /// Every request let through, in the order they came, with when (seconds after the start).
    public var log: [(operation: String, at: Double)] { lock.withLock { requests } }

    /// Requests throttled per operation.
    public var throttledOperations: [String: Int] { lock.withLock { throttledByOperation } }

    private func take(_ operation: String) -> Bool {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        let limit: (key: String, rate: Double, burst: Double)?
        if awsQuotas {
            limit = AWSQuotas.quota(of: operation).map { ($0.bucket, $0.perSecond, $0.burst) }
        } else {
            limit = rate.map { (operation, $0, burst) }
        }
        return lock.withLock {
            let at = now - started
            guard let limit else {
                requests.append((operation, at))
                return true
            }
            var bucket = buckets[limit.key] ?? (limit.burst, now)
            bucket.tokens = min(limit.burst, bucket.tokens + (now - bucket.at) * limit.rate)
            bucket.at = now
            guard bucket.tokens >= 1 else {
                buckets[limit.key] = bucket
                throttledByOperation[operation, default: 0] += 1
                return false
            }
            bucket.tokens -= 1
            buckets[limit.key] = bucket
            requests.append((operation, at))
            return true
        }
    }

    /// The operation a request calls, whatever its protocol: the JSON target, the query
    /// Action, S3's sub-resource, or the method and path (ids dropped) of a REST call.
    public static func operation(of request: LoopbackHTTPServer.Request) -> String {
        if let target = request.headers["x-amz-target"] { return target }
        let text = String(decoding: request.raw, as: UTF8.self)
        if let start = text.range(of: "Action=") {
            return "Action=" + text[start.upperBound...].prefix { $0 != "&" && $0 != "\r" && $0 != "\n" }
        }
        let parts = request.path.split(separator: "?", maxSplits: 1)
        if parts.count == 2 {
            let names = parts[1].split(separator: "&").map { $0.split(separator: "=")[0] }.sorted()
            return request.method + " ?" + names.joined(separator: "&")
        }
        if request.path.contains("/functions/") {
            return request.method + " functions/" + (request.path.split(separator: "/").last.map(String.init) ?? "")
        }
        return request.method + " " + request.path
    }

    /// Each protocol's throttling error, as AWS sends it.
    static func throttlingAnswer(to request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply {
        if request.headers["x-amz-target"] != nil {
            return .response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"],
                             body: Array(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.utf8))
        }
        if String(decoding: request.raw, as: UTF8.self).contains("Action=") {
            return .response(status: 400, headers: ["Content-Type": "text/xml"], body: Array("""
                <ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>\
                </Error><RequestId>throttled</RequestId></ErrorResponse>
                """.utf8))
        }
        if request.path.contains("/operation/") {   // rpc-v2-cbor: {"__type": ..., "message": ...} in CBOR
            func text(_ string: String) -> [UInt8] { [0x60 | UInt8(string.utf8.count)] + Array(string.utf8) }
            let body = [0xA2] + text("__type") + text("ThrottlingException") + text("message") + text("Rate exceeded")
            let headers = ["Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"]
            return .response(status: 400, headers: headers, body: body)
        }
        if request.path.contains("/functions/") {
            return .response(status: 429, headers: ["Content-Type": "application/json",
                                                    "x-amzn-ErrorType": "TooManyRequestsException"],
                             body: Array(#"{"message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}"#.utf8))
        }
        return .response(status: 503, headers: ["Content-Type": "application/xml"], body: Array("""
            <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>
            """.utf8))
    }
}
