import BallastAWS
import BallastCore
import Foundation

/// The Cloud Control API for the tests: no emulator has it, so `GetResource`, `ListResources`,
/// `UpdateResource` and `GetResourceRequestStatus` are answered here as botocore's model
/// (cloudcontrol 2021-09-30) and the Cloud Control user guide describe them: JSON 1.0,
/// `CloudApiService.<Operation>`, a resource's `Properties` a JSON document in a string, named
/// as the type's CloudFormation schema names them, and an update a JSON Patch followed through a
/// `ProgressEvent` (`IN_PROGRESS` for `settle` seconds, then `SUCCESS`; `FAILED` with a handler
/// error code when a test asks). Three types are backed by moto's own APIs, called signed as any
/// client would: `AWS::SQS::Queue`, `AWS::Kinesis::Stream` and `AWS::SNS::Topic`. A patch that
/// touches a read-only or create-only property of the type's schema (cfn-lint's) fails with
/// `NotUpdatable`, as the handlers do. What ballast sends is checked against the model by the
/// contract checker (`RequestRecorder` records it on its way here).
public final class CloudControlStandIn: Sendable {
    /// How long a request stays `IN_PROGRESS`.
    public static let settle: TimeInterval = 0.4

    struct Request: Sendable {
        var event: [String: Value]
        var since: Date
        var failure: (code: String, message: String)?
        var stalled: Bool
    }

    let motoPort: Int
    /// The key the stand-in signs moto calls with (moto checks signatures once authenticated).
    let key = Locked<(id: String, secret: String)>(("testing", "testing-secret"))
    private let requests = Locked<[String: Request]>([:])
    private let clientTokens = Locked<[String: String]>([:])
    private let failures = Locked<[String: (code: String, message: String)]>([:])
    private let stalls = Locked<Set<String>>([])
    private let throttles = Locked<(count: Int, operation: String?)>((0, nil))
    private let schemas = Locked<[String: RegistrySchema]>([:])

    init(motoPort: Int) {
        self.motoPort = motoPort
    }

    /// The next update of this resource fails in its handler with this error code and message.
    public func failNext(_ identifier: String, code: String, message: String) {
        failures.update { $0[identifier] = (code, message) }
    }

    /// The next update of this resource never finishes (`IN_PROGRESS` for as long as it is asked).
    public func stallNext(_ identifier: String) {
        _ = stalls.update { $0.insert(identifier) }
    }

    /// The next `count` Cloud Control requests (of `operation` only, when given) are throttled
    /// (`ThrottlingException`).
    public func throttle(next count: Int, operation: String? = nil) {
        throttles.update { $0 = (count, operation) }
    }

    /// The answer to a Cloud Control request (`CloudApiService.*`); nil for any other.
    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        let target = request.headers["x-amz-target"] ?? ""
        guard target.hasPrefix("CloudApiService.") else { return nil }
        let throttled = throttles.update { throttle -> Bool in
            guard throttle.count > 0, throttle.operation.map({ target == "CloudApiService." + $0 }) ?? true else {
                return false
            }
            throttle.count -= 1
            return true
        }
        if throttled { return Self.error("ThrottlingException", "Rate exceeded") }
        guard case .map(let input)? = try? JSON.parse(request.body) else {
            return Self.error("InvalidRequestException", "the body is not a JSON object")
        }
        switch target.dropFirst("CloudApiService.".count) {
        case "GetResource": return getResource(input)
        case "ListResources": return listResources(input)
        case "UpdateResource": return updateResource(input)
        case "GetResourceRequestStatus": return status(input)
        default: return Self.error("UnsupportedActionException", "the stand-in does not answer \(target)")
        }
    }

    func backend(_ input: [String: Value]) -> (Backend, String)? {
        guard let type = input["TypeName"]?.string, let backend = Backend.all[type] else { return nil }
        return (backend, type)
    }

    func getResource(_ input: [String: Value]) -> LoopbackHTTPServer.Reply {
        guard let (backend, type) = backend(input) else { return Self.typeNotFound(input) }
        let identifier = input["Identifier"]?.string ?? ""
        do {
            guard let properties = try backend.read(MotoCaller(stand: self), identifier) else {
                return Self.notFound(type, identifier)
            }
            return Self.ok(["TypeName": .string(type), "ResourceDescription": [
                "Identifier": .string(identifier), "Properties": .string(JSON.encode(.map(properties))),
            ]])
        } catch {
            return Self.error("GeneralServiceException", "\(error)")
        }
    }

    /// Two resources a page, so paging is exercised; the token is the last identifier given, so a
    /// resource made between pages moves nothing (as AWS's tokens are stable).
    func listResources(_ input: [String: Value]) -> LoopbackHTTPServer.Reply {
        guard let (backend, type) = backend(input) else { return Self.typeNotFound(input) }
        let caller = MotoCaller(stand: self)
        do {
            let after = input["NextToken"]?.string
            let all = try backend.list(caller).sorted().filter { after == nil || $0 > after! }
            let page = all.prefix(2)
            var answer: [String: Value] = [
                "TypeName": .string(type),
                "ResourceDescriptions": .list(
                    try page.map { id in
                        [
                            "Identifier": .string(id),
                            "Properties": .string(JSON.encode(.map(try backend.read(caller, id) ?? [:]))),
                        ]
                    }),
            ]
            if page.count < all.count, let last = page.last { answer["NextToken"] = .string(last) }
            return Self.ok(answer)
        } catch {
            return Self.error("GeneralServiceException", "\(error)")
        }
    }

    func updateResource(_ input: [String: Value]) -> LoopbackHTTPServer.Reply {
        guard let (backend, type) = backend(input) else { return Self.typeNotFound(input) }
        let identifier = input["Identifier"]?.string ?? ""
        if let token = input["ClientToken"]?.string, let earlier = clientTokens.current[token],
           let known = requests.current[earlier] {
            return Self.ok(["ProgressEvent": .map(Self.event(known))])   // the same request again: the same answer
        }
        let caller = MotoCaller(stand: self)
        let current: [String: Value]
        do {
            guard let found = try backend.read(caller, identifier) else { return Self.notFound(type, identifier) }
            current = found
        } catch {
            return Self.error("GeneralServiceException", "\(error)")
        }
        guard let text = input["PatchDocument"]?.string, case .list(let operations)? = try? JSON.parse(text) else {
            return Self.error("InvalidRequestException", "PatchDocument is not a JSON Patch (a list of operations)")
        }
        let token = UUID().uuidString
        var record = Request(event: ["TypeName": .string(type), "Identifier": .string(identifier),
                                     "RequestToken": .string(token), "Operation": "UPDATE",
                                     "EventTime": .double(Date().timeIntervalSince1970)],
                             since: Date(), failure: failures.update { $0.removeValue(forKey: identifier) },
                             stalled: stalls.update { $0.remove(identifier) != nil })
        // A failing request changes nothing; a stalled one has not got to its change yet.
        if record.failure == nil, !record.stalled {
            do {
                let patched = try JSONPatch.apply(operations, to: current, fixed: try fixedPaths(type))
                try backend.write(caller, identifier, current, patched)
            } catch let refusal as JSONPatch.Refusal {
                record.failure = (refusal.code, refusal.message)
            } catch {
                record.failure = ("GeneralServiceException", "\(error)")
            }
        }
        requests.update { $0[token] = record }
        if let clientToken = input["ClientToken"]?.string { clientTokens.update { $0[clientToken] = token } }
        return Self.ok(["ProgressEvent": .map(Self.event(record, at: record.since))])
    }

    func status(_ input: [String: Value]) -> LoopbackHTTPServer.Reply {
        guard let token = input["RequestToken"]?.string, let record = requests.current[token] else {
            return Self.error("RequestTokenNotFoundException", "no request with that token")
        }
        return Self.ok(["ProgressEvent": .map(Self.event(record))])
    }

    /// The event as it stands `at` a time: in progress until `settle` has passed (for ever when stalled).
    static func event(_ record: Request, at now: Date = Date()) -> [String: Value] {
        var event = record.event
        guard !record.stalled, now.timeIntervalSince(record.since) >= settle else {
            event["OperationStatus"] = "IN_PROGRESS"
            event["RetryAfter"] = .double(now.timeIntervalSince1970 + 0.2)
            return event
        }
        if let failure = record.failure {
            event["OperationStatus"] = "FAILED"
            event["ErrorCode"] = .string(failure.code)
            event["StatusMessage"] = .string(failure.message)
        } else {
            event["OperationStatus"] = "SUCCESS"
        }
        return event
    }

    /// The read-only and create-only paths of a type's schema (cfn-lint's), which no update may touch.
    func fixedPaths(_ type: String) throws -> (readOnly: Set<String>, createOnly: Set<String>) {
        if let known = schemas.current[type] { return (known.readOnly, known.createOnly) }
        let schema = try CfnLintSchemas.registry(for: type)
        schemas.update { $0[type] = schema }
        return (schema.readOnly, schema.createOnly)
    }

    static func ok(_ answer: [String: Value]) -> LoopbackHTTPServer.Reply { AWSWire.json("1.0", answer) }

    static func error(_ code: String, _ message: String) -> LoopbackHTTPServer.Reply {
        AWSWire.jsonError("1.0", code, message)
    }

    static func notFound(_ type: String, _ identifier: String) -> LoopbackHTTPServer.Reply {
        error("ResourceNotFoundException", "Resource of type '\(type)' with identifier '\(identifier)' was not found.")
    }

    static func typeNotFound(_ input: [String: Value]) -> LoopbackHTTPServer.Reply {
        error("TypeNotFoundException", "the stand-in has no type \(input["TypeName"]?.string ?? "(none)")")
    }
}

/// RFC 6902 on a resource's properties: `add`, `replace`, `remove`, `test`; paths under a
/// read-only or create-only property are refused as the handler would (`NotUpdatable`).
enum JSONPatch {
    struct Refusal: Error {
        let code: String
        let message: String
    }

    static func apply(_ operations: [Value], to document: [String: Value],
                      fixed: (readOnly: Set<String>, createOnly: Set<String>)) throws -> [String: Value] {
        var result = Value.map(document)
        for operation in operations {
            guard let op = operation["op"]?.string, let path = operation["path"]?.string, path.hasPrefix("/") else {
                throw Refusal(code: "InvalidRequest", message: "a patch operation needs op and path")
            }
            let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            let top = "/" + parts.prefix(while: { Int($0) == nil }).joined(separator: "/")
            for fixedPath in fixed.readOnly.union(fixed.createOnly)
            where top == fixedPath || top.hasPrefix(fixedPath + "/") || fixedPath.hasPrefix(top + "/") {
                throw Refusal(code: "NotUpdatable", message: "Resource update failed: property \(fixedPath) "
                    + "is " + (fixed.readOnly.contains(fixedPath) ? "read-only" : "create-only"))
            }
            switch op {
            case "add", "replace":
                guard let value = operation["value"] else {
                    throw Refusal(code: "InvalidRequest", message: "\(op) needs a value")
                }
                if op == "replace", lookup(result, parts) == nil {
                    throw Refusal(code: "InvalidRequest", message: "replace at \(path): nothing there")
                }
                result = try setting(result, parts[...], to: value, replacing: op == "replace")
            case "remove":
                result = try setting(result, parts[...], to: nil, replacing: true)
            case "test":
                guard lookup(result, parts) == operation["value"] else {
                    throw Refusal(code: "InvalidRequest", message: "test at \(path) failed")
                }
            default:
                throw Refusal(code: "InvalidRequest", message: "unknown patch op \(op)")
            }
        }
        guard case .map(let patched) = result else { return document }
        return patched
    }

    static func lookup(_ value: Value, _ parts: [String]) -> Value? {
        var current: Value? = value
        for part in parts {
            if case .list(let items)? = current, let index = Int(part) {
                current = items.indices.contains(index) ? items[index] : nil
            } else {
                current = current?[part]
            }
        }
        return current
    }

    /// `new` at the path (nil removes); in a list, `add` inserts at the index and `replace` takes its place.
    static func setting(_ value: Value, _ parts: ArraySlice<String>, to new: Value?, replacing: Bool) throws -> Value {
        guard let first = parts.first else { return new ?? .null }
        switch value {
        case .map(var fields):
            if parts.count == 1 {
                fields[first] = new
            } else {
                guard let inner = fields[first] else {
                    throw Refusal(code: "InvalidRequest", message: "no \(first) to patch inside")
                }
                fields[first] = try setting(inner, parts.dropFirst(), to: new, replacing: replacing)
            }
            return .map(fields)
        case .list(var items):
            guard let index = first == "-" ? items.count : Int(first), index <= items.count else {
                throw Refusal(code: "InvalidRequest", message: "bad list index \(first)")
            }
            guard parts.count == 1 || index < items.count, !replacing || index < items.count else {
                throw Refusal(code: "InvalidRequest", message: "no list entry \(first)")
            }
            if parts.count > 1 {
                items[index] = try setting(items[index], parts.dropFirst(), to: new, replacing: replacing)
            } else if let new {
                if replacing { items[index] = new } else { items.insert(new, at: index) }
            } else {
                items.remove(at: index)
            }
            return .list(items)
        default:
            throw Refusal(code: "InvalidRequest", message: "\(first): not inside an object or a list")
        }
    }
}
