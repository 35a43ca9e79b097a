import BallastCore
import Foundation

/// Lambda for the tests: moto has no provisioned concurrency, so
/// `PutProvisionedConcurrencyConfig` and `GetProvisionedConcurrencyConfig`
/// (`/2019-09-30/functions/{FunctionName}/provisioned-concurrency?Qualifier=`) are answered here
/// as botocore's model (lambda 2015-03-31) and the API reference describe them; every other Lambda
/// request goes on to moto, which the stand-in also asks whether the alias exists. As AWS does, a
/// put answers `IN_PROGRESS` at once with the old allocation; the configuration is `READY` with the
/// new one `allocation` later, or `FAILED` with a reason when a test asked for that (`failNext`).
public final class LambdaStandIn: Sendable {
    struct Config: Sendable {
        var requested: Int
        var allocatedBefore: Int
        var since: Date
        var failure: String?
    }

    /// How long an allocation takes.
    static let allocation: TimeInterval = 0.5

    /// moto's port, for whether an alias exists.
    let motoPort: Int
    private let configs = Locked<[String: Config]>([:])
    private let failures = Locked<[String: String]>([:])

    init(motoPort: Int) {
        self.motoPort = motoPort
    }

    /// The answer to a provisioned-concurrency request; nil for any other.
    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        let path = request.path.split(separator: "?", maxSplits: 1).map(String.init)
        let segments = (path.first ?? "").split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        guard segments.count == 4, segments[0] == "2019-09-30", segments[1] == "functions",
              segments[3] == "provisioned-concurrency" else { return nil }
        let query = path.count > 1 ? path[1] : ""
        let qualifier = query.split(separator: "&").compactMap { pair -> String? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts[0] == "Qualifier" ? String(parts[1]).removingPercentEncoding : nil
        }.first
        guard let qualifier else { return Self.error(400, "InvalidParameterValueException", "Qualifier is required") }
        let function = segments[2]
        guard aliasExists(function, qualifier) else {
            return Self.error(404, "ResourceNotFoundException",
                              "Function not found: arn:aws:lambda:us-east-1:123456789012:function:"
                                  + "\(function):\(qualifier)")
        }
        let key = function + ":" + qualifier
        switch request.method {
        case "PUT":
            guard case .map(let body)? = try? JSON.parse(request.body),
                  let requested = body["ProvisionedConcurrentExecutions"]?.int, requested >= 1 else {
                return Self.error(400, "InvalidParameterValueException",
                                  "ProvisionedConcurrentExecutions must be at least 1")
            }
            let failure = failures.update { $0.removeValue(forKey: key) }
            let config = configs.update { all -> Config in
                let before = all[key].map { Self.allocated($0) } ?? 0
                let config = Config(requested: requested, allocatedBefore: before, since: Date(), failure: failure)
                all[key] = config
                return config
            }
            return Self.ok(202, Self.document(config, now: config.since))
        case "GET":
            guard let config = configs.current[key] else {
                return Self.error(404, "ProvisionedConcurrencyConfigNotFoundException",
                                  "No Provisioned Concurrency Config found for this function")
            }
            return Self.ok(200, Self.document(config, now: Date()))
        default:
            return Self.error(400, "InvalidParameterValueException", "the stand-in does not answer \(request.method)")
        }
    }

    /// The next put on this alias fails to allocate, with this reason (a function whose
    /// initialization fails, on AWS).
    public func failNext(_ function: String, alias: String, reason: String) {
        failures.update { $0[function + ":" + alias] = reason }
    }

    static func allocated(_ config: Config) -> Int {
        Date().timeIntervalSince(config.since) >= allocation && config.failure == nil ? config.requested
            : config.allocatedBefore
    }

    static func document(_ config: Config, now: Date) -> [String: Value] {
        let done = now.timeIntervalSince(config.since) >= allocation
        var document: [String: Value] = [
            "RequestedProvisionedConcurrentExecutions": .int(config.requested),
            "AvailableProvisionedConcurrentExecutions": 1_000,
            "AllocatedProvisionedConcurrentExecutions": .int(done && config.failure == nil ? config.requested
                                                                : config.allocatedBefore),
            "Status": .string(!done ? "IN_PROGRESS" : config.failure == nil ? "READY" : "FAILED"),
            "LastModified": .string(ISO8601DateFormatter().string(from: config.since)),
        ]
        if done, let failure = config.failure { document["StatusReason"] = .string(failure) }
        return document
    }

    /// GetAlias on moto. Lambda is only ever sent to the unauthenticated moto, which checks no signature.
    func aliasExists(_ function: String, _ alias: String) -> Bool {
        let raw = "GET /2015-03-31/functions/\(function)/aliases/\(alias) HTTP/1.1\r\nHost: 127.0.0.1:\(motoPort)\r\n"
            + "Authorization: AWS4-HMAC-SHA256 Credential=stand-in/20260101/us-east-1/lambda/aws4_request, "
            + "SignedHeaders=host, Signature=0\r\nContent-Length: 0\r\n\r\n"
        let request = LoopbackHTTPServer.Request(method: "GET", path: "/", headers: [:], raw: Array(raw.utf8))
        let answer = LoopbackHTTPServer.forward(request, toPort: motoPort).map { String(decoding: $0, as: UTF8.self) }
        // moto answers GetAlias with 201, not AWS's 200.
        return answer?.hasPrefix("HTTP/1.1 2") == true || answer?.hasPrefix("HTTP/1.0 2") == true
    }

    static func ok(_ status: Int, _ answer: [String: Value]) -> LoopbackHTTPServer.Reply {
        .response(status: status, headers: ["Content-Type": "application/json", "x-amzn-RequestId": UUID().uuidString],
                  body: Array(JSON.encode(.map(answer)).utf8))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> LoopbackHTTPServer.Reply {
        .response(status: status, headers: ["Content-Type": "application/json", "x-amzn-ErrorType": code,
                                            "x-amzn-RequestId": UUID().uuidString],
                  body: Array(JSON.encode(["Type": "User", "message": .string(message)]).utf8))
    }
}
