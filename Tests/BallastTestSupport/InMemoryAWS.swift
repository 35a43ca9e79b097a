import BallastAWS
import BallastCore
import BallastKinds
import Foundation

/// An AWS in memory: the `AWSAPI` port answered from a table, for testing the engine and a kind
/// without an emulator. It records every call as an `APIOperation` with its input, and in its
/// wire form (the same serializers as the real client), so the contract checker can check what
/// was sent against botocore's models. A call the table has no answer for fails the call with
/// `NoAnswer` naming it; `fail(_:times:with:)` throttles or breaks an operation.
public final class InMemoryAWS: AWSAPI, @unchecked Sendable {
    /// One call as the port received it: the operation, and its input as one value (a query's
    /// parameters, a json body, or a REST call's method, segments, query and body).
    public struct Call: Sendable, Equatable {
        public var operation: APIOperation
        public var region: String
        public var input: Value

        /// What a table entry is matched by: service, operation and input, with idempotency tokens
        /// (new on every write) left out.
        public var key: String {
            "\(operation.call) " + JSON.encode(Self.withoutTokens(input))
        }

        public var json: Value {
            ["call": .string(operation.call), "service": .string(operation.service.signingName),
             "region": .string(region), "input": Self.withoutTokens(input)]
        }

        static let tokens: Set<String> = ["ClientToken", "ClientRequestToken"]

        static func withoutTokens(_ value: Value) -> Value {
            switch value {
            case .map(let fields):
                return .map(Dictionary(uniqueKeysWithValues: fields.map { key, item in
                    (key, tokens.contains(key) ? "<token>" : withoutTokens(item))
                }))
            case .list(let items): return .list(items.map(withoutTokens))
            default: return value
            }
        }
    }

    /// What a call is answered with: a json answer, an XML document (query and rest-xml), the
    /// bytes of an S3 object, or an error as AWS sends it.
    public enum Answer: Sendable {
        case json(Value)
        case xml(String)
        case bytes([UInt8])
        case error(code: String, message: String, status: Int)

        public var json: Value {
            switch self {
            case .json(let value): return ["json": value]
            case .xml(let text): return ["xml": .string(text)]
            case .bytes(let bytes): return ["bytes": .string(Data(bytes).base64EncodedString())]
            case .error(let code, let message, let status):
                return ["error": ["code": .string(code), "message": .string(message), "status": .int(status)]]
            }
        }

        public init?(json: Value) {
            if case .map(let fields) = json, let value = fields["json"] { self = .json(value) }
            else if let text = json["xml"]?.string { self = .xml(text) }
            else if let text = json["bytes"]?.string, let data = Data(base64Encoded: text) {
                self = .bytes(Array(data))
            }
            else if let error = json["error"], let code = error["code"]?.string {
                self = .error(code: code, message: error["message"]?.string ?? "",
                              status: error["status"]?.number.map { Int($0) } ?? 400)
            } else { return nil }
        }
    }

    struct State {
        /// Answers by call key, used in order; the last one answers every later call.
        var answers: [String: [Answer]] = [:]
        /// Answers by operation alone, for calls no exact answer fits, used in order likewise.
        var anyInput: [String: [Answer]] = [:]
        var failures: [String: (left: Int, answer: Answer)] = [:]
        var calls: [Call] = []
        var wire: [HTTPRequest] = []
        var buckets: [String: String] = [:]
    }

    public let region: String
    public let account: String
    public let arn: String
    private let state: Locked<State>

    public init(region: String = "us-east-1", account: String = "123456789012",
                arn: String = "arn:aws:iam::123456789012:user/tester") {
        self.region = region
        self.account = account
        self.arn = arn
        state = Locked(State())
    }

    private init(region: String, sharing other: InMemoryAWS) {
        self.region = region
        account = other.account
        arn = other.arn
        state = other.state
    }

    /// Answers `call` (by its key) with `answers` in turn.
    public func answer(_ call: Call, with answers: [Answer]) {
        state.update { $0.answers[call.key, default: []] += answers }
    }

    /// Answers any call of `operation` that no exact answer fits, with `answers` in turn: for calls whose
    /// input carries times and tokens of their own run (the lock table's items).
    public func answer(any operation: APIOperation, with answers: [Answer]) {
        state.update { $0.anyInput[operation.call, default: []] += answers }
    }

    /// The next `times` calls of `operation` (in any region) get `answer`: a throttle, a fault.
    public func fail(_ operation: APIOperation, times: Int, with answer: Answer) {
        state.update { $0.failures[operation.call] = (times, answer) }
    }

    /// Every call so far, in the order made.
    public var calls: [Call] { state.current.calls }

    /// Every call so far in its wire form, as the contract checker reads them (JSON lines).
    public var wireLines: String {
        state.current.wire.map { request -> String in
            let (path, query) = request.pathAndQuery
            var headers: [String: Value] = [:]
            for header in request.headers { headers[header.name.lowercased()] = .string(header.value) }
            let target = query.isEmpty ? path : path + "?" + query
            return JSON.encode(["method": .string(request.method), "target": .string(target),
                                "headers": .map(headers), "body": .string(Data(request.body).base64EncodedString())])
        }.joined(separator: "\n") + "\n"
    }

    // MARK: The port

    public func inRegion(_ other: String) -> any AWSAPI { InMemoryAWS(region: other, sharing: self) }
    public func bucketRegion(_ bucket: String) -> String? { state.current.buckets[bucket] }
    public func rememberBucketRegion(_ bucket: String, _ region: String) {
        state.update { $0.buckets[bucket] = region }
    }
    public func callerAccount() async throws -> String { account }
    public func callerIdentity() async throws -> (account: String, arn: String) { (account, arn) }
    public func inFlightSlots(for operation: APIOperation) -> (bucket: String, size: Int) { (operation.call, .max) }
    /// Never AWS's own endpoint: Timestream does not discover one here.
    public func usesDefaultEndpoint(_ service: AWSService) -> Bool { false }

    public func query(_ service: AWSService, _ action: String,
                      _ parameters: [String: String]) async throws -> XMLTree {
        let input = Value.map(parameters.mapValues(Value.string))
        let root = try xml(try take(service, action, input, .query(service, action, parameters)), service, action)
        return root.child(action + "Result") ?? root
    }

    public func json(_ service: AWSService, _ operation: String, _ input: Value,
                     endpoint: String?) async throws -> Value {
        try jsonAnswer(try take(service, operation, input, .json(service, operation, input)), service, operation)
    }

    public func restJSON(_ service: AWSService, _ operation: String, method: String, segments: [String],
                         query: [(String, String)], body: Value?) async throws -> Value {
        let input = Self.rest(method, segments, query, body ?? .null)
        let wire = AWSOperation.rest(service, operation, method: method, segments: segments, query: query,
                                     jsonBody: body)
        return try jsonAnswer(try take(service, operation, input, wire), service, operation)
    }

    public func restXML(_ service: AWSService, _ operation: String, method: String, segments: [String],
                        query: [(String, String)], body: String?) async throws -> XMLTree {
        let input = Self.rest(method, segments, query, body.map(Value.string) ?? .null)
        let wire = AWSOperation.restXML(service, operation, method: method, segments: segments, query: query,
                                        body: body)
        let answer = try take(service, operation, input, wire)
        if case .xml(let text) = answer, text.isEmpty { return XMLTree(name: "", text: "", children: []) }
        return try xml(answer, service, operation)
    }

    public func getObject(bucket: String, key: String) async throws -> [UInt8] {
        let segments = [bucket] + key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let wire = AWSOperation.rest(.s3, "GetObject", method: "GET", segments: segments)
        guard case .bytes(let bytes) = try take(.s3, "GetObject", Self.rest("GET", segments, [], .null), wire) else {
            throw AWSError(service: "S3", operation: "GetObject", code: "NoAnswer", message: "not bytes", status: 0,
                           requestId: nil)
        }
        return bytes
    }

    // MARK: Answering

    static func rest(_ method: String, _ segments: [String], _ query: [(String, String)], _ body: Value) -> Value {
        ["method": .string(method), "segments": .list(segments.map(Value.string)),
         "query": .list(query.map { .list([.string($0.0), .string($0.1)]) }), "body": body]
    }

    /// Records the call, then answers it from the failures or the table.
    private func take(_ service: AWSService, _ name: String, _ input: Value, _ wire: AWSOperation) throws -> Answer {
        let call = Call(operation: APIOperation(service, name), region: region, input: input)
        var request = wire.request(endpoint: "https://\(service.endpointPrefix).\(region).amazonaws.com")
        request.setHeader("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDINMEMORY/20261206/\(region)/"
            + "\(service.signingName)/aws4_request, SignedHeaders=host, Signature=0")
        let answer = state.update { state -> Answer? in
            state.calls.append(call)
            state.wire.append(request)
            if let failure = state.failures[call.operation.call], failure.left > 0 {
                state.failures[call.operation.call]?.left -= 1
                return failure.answer
            }
            if var queue = state.answers[call.key], !queue.isEmpty {
                let next = queue.removeFirst()
                if !queue.isEmpty { state.answers[call.key] = queue }
                return next
            }
            guard var queue = state.anyInput[call.operation.call], !queue.isEmpty else { return nil }
            let next = queue.removeFirst()
            if !queue.isEmpty { state.anyInput[call.operation.call] = queue }
            return next
        }
        guard let answer else {
            throw AWSError(service: service.serviceId, operation: name, code: "NoAnswer",
                           message: "the in-memory AWS has no answer for \(call.key)", status: 0, requestId: nil)
        }
        if case .error(let code, let message, let status) = answer {
            throw AWSError(service: service.serviceId, operation: name, code: code, message: message, status: status,
                           requestId: nil)
        }
        return answer
    }

    private func jsonAnswer(_ answer: Answer, _ service: AWSService, _ operation: String) throws -> Value {
        guard case .json(let value) = answer else { throw mismatch(service, operation, "a json answer") }
        return value
    }

    private func xml(_ answer: Answer, _ service: AWSService, _ operation: String) throws -> XMLTree {
        guard case .xml(let text) = answer, let tree = XMLTree.parse(Array(text.utf8)) else {
            throw mismatch(service, operation, "an XML answer")
        }
        return tree
    }

    private func mismatch(_ service: AWSService, _ operation: String, _ expected: String) -> AWSError {
        AWSError(service: service.serviceId, operation: operation, code: "MalformedResponse",
                 message: "expected \(expected)", status: 200, requestId: nil)
    }
}

public extension XMLTree {
    /// The element as XML text again (names, text and children; the table keeps answers this way).
    var xmlText: String {
        guard !name.isEmpty else { return "" }
        return "<\(name)>" + XMLText.escape(children.isEmpty ? text : "") + children.map(\.xmlText).joined()
            + "</\(name)>"
    }
}

/// The port in front of a real client (moto), keeping each call with its answer: how a kind's
/// fixture table is made (`BALLAST_UPDATE_FIXTURES=1`), from what the emulator really answered.
public final class RecordingAWS: AWSAPI, @unchecked Sendable {
    public struct Entry: Sendable {
        public var call: InMemoryAWS.Call
        public var answer: InMemoryAWS.Answer
    }

    let inner: any AWSAPI
    let log: Locked<[Entry]>

    public init(_ inner: any AWSAPI, log: Locked<[Entry]> = Locked([])) {
        self.inner = inner
        self.log = log
    }

    public var entries: [Entry] { log.current }
    public var region: String { inner.region }

    public func inRegion(_ other: String) -> any AWSAPI { RecordingAWS(inner.inRegion(other), log: log) }
    public func bucketRegion(_ bucket: String) -> String? { inner.bucketRegion(bucket) }
    public func rememberBucketRegion(_ bucket: String, _ region: String) { inner.rememberBucketRegion(bucket, region) }
    public func callerAccount() async throws -> String { try await inner.callerAccount() }
    public func callerIdentity() async throws -> (account: String, arn: String) { try await inner.callerIdentity() }
    public func inFlightSlots(for operation: APIOperation) -> (bucket: String, size: Int) {
        inner.inFlightSlots(for: operation)
    }
    public func usesDefaultEndpoint(_ service: AWSService) -> Bool { inner.usesDefaultEndpoint(service) }

    public func query(_ service: AWSService, _ action: String,
                      _ parameters: [String: String]) async throws -> XMLTree {
        try await keep(service, action, .map(parameters.mapValues(Value.string)), { .xml($0.xmlText) }) {
            try await inner.query(service, action, parameters)
        }
    }

    public func json(_ service: AWSService, _ operation: String, _ input: Value,
                     endpoint: String?) async throws -> Value {
        try await keep(service, operation, input, { .json($0) }) {
            try await inner.json(service, operation, input, endpoint: endpoint)
        }
    }

    public func restJSON(_ service: AWSService, _ operation: String, method: String, segments: [String],
                         query: [(String, String)], body: Value?) async throws -> Value {
        try await keep(service, operation, InMemoryAWS.rest(method, segments, query, body ?? .null), { .json($0) }) {
            try await inner.restJSON(service, operation, method: method, segments: segments, query: query, body: body)
        }
    }

    public func restXML(_ service: AWSService, _ operation: String, method: String, segments: [String],
                        query: [(String, String)], body: String?) async throws -> XMLTree {
        let input = InMemoryAWS.rest(method, segments, query, body.map(Value.string) ?? .null)
        return try await keep(service, operation, input, { .xml($0.xmlText) }) {
            try await inner.restXML(service, operation, method: method, segments: segments, query: query, body: body)
        }
    }

    public func getObject(bucket: String, key: String) async throws -> [UInt8] {
        let segments = [bucket] + key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        return try await keep(.s3, "GetObject", InMemoryAWS.rest("GET", segments, [], .null), { .bytes($0) }) {
            try await inner.getObject(bucket: bucket, key: key)
        }
    }

    private func keep<T>(_ service: AWSService, _ name: String, _ input: Value, _ answer: (T) -> InMemoryAWS.Answer,
                         _ call: () async throws -> T) async throws -> T {
        let key = InMemoryAWS.Call(operation: APIOperation(service, name), region: region, input: input)
        do {
            let result = try await call()
            log.update { $0.append(Entry(call: key, answer: answer(result))) }
            return result
        } catch let error as AWSError {
            log.update { $0.append(Entry(call: key, answer: .error(code: error.code, message: error.message,
                                                                    status: error.status))) }
            throw error
        }
    }
}
