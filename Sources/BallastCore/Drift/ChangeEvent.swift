import FoundationEssentials

/// A CloudTrail management event as EventBridge delivers it to a queue: the envelope
/// (`detail-type: AWS API Call via CloudTrail`, `time`, `region`, `account`) around the CloudTrail
/// record in `detail`. Everything in it is untrusted: a message larger than SQS can hold, deeper
/// than the JSON reader's cap, or without the fields every such event has is refused, and each
/// field it keeps is bounded as `CloudTrailEvent`'s are.
public struct ChangeEvent: Sendable, Equatable {
    public var event: CloudTrailEvent
    /// The region the call was made in (`detail.awsRegion`, else the envelope's `region`).
    public var region: String
    /// The account it was made in, when the envelope says.
    public var account: String?
    /// When EventBridge says it happened (`time`, to the second): where detection time starts.
    public var time: Date

    /// `detail-type` of every CloudTrail management event EventBridge delivers.
    public static let detailType = "AWS API Call via CloudTrail"

    /// ballast's bound on a message: SQS's largest message, 1 MiB (262,144 bytes by default;
    /// `MaximumMessageSize` goes to 1,048,576, the Amazon SQS Developer Guide, "Amazon SQS message
    /// quotas"). An EventBridge event is under 256 KB as sent (the EventBridge User Guide,
    /// "Calculating PutEvents event entry size"), so nothing AWS delivers is larger.
    public static let maxMessageBytes = 1 << 20

    public init(event: CloudTrailEvent, region: String, account: String?, time: Date) {
        self.event = event
        self.region = region
        self.account = account
        self.time = time
    }

    /// Why a message is not an event ballast can use.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case tooLarge(Int)
        case notJSON(String)
        case notACloudTrailEvent(String)

        public var description: String {
            switch self {
            case .tooLarge(let bytes): "\(bytes) bytes, over the \(ChangeEvent.maxMessageBytes)-byte bound"
            case .notJSON(let why): "not JSON: \(why)"
            case .notACloudTrailEvent(let why): "not a CloudTrail event from EventBridge: \(why)"
            }
        }
    }

    /// A queue message's body as one event.
    public static func parse(_ body: String) -> Result<ChangeEvent, Problem> {
        let size = body.utf8.count
        guard size <= maxMessageBytes else { return .failure(.tooLarge(size)) }
        let envelope: Value
        do { envelope = try JSON.parse(body) } catch { return .failure(.notJSON(UntrustedText.line("\(error)"))) }
        guard envelope["detail-type"]?.string == detailType else {
            return .failure(.notACloudTrailEvent("its detail-type is not '\(detailType)'"))
        }
        guard let detail = envelope["detail"], case .map = detail else {
            return .failure(.notACloudTrailEvent("no detail"))
        }
        guard let event = CloudTrailEvent(record: detail) else {
            return .failure(.notACloudTrailEvent("its detail lacks eventID, eventName, eventSource or eventTime"))
        }
        let cap = UntrustedText.capped
        // A region name is at most 25 characters in practice; 64 is ballast's bound.
        let region = cap(detail["awsRegion"]?.string ?? envelope["region"]?.string ?? "", 64)
        let account = (detail["recipientAccountId"]?.string ?? envelope["account"]?.string).map { cap($0, 12) }
        let time = envelope["time"]?.string.flatMap(Timestamp.parse) ?? event.time
        return .success(ChangeEvent(event: event, region: region, account: account, time: time))
    }

    /// Whether the event is a call that changes resources of this kind: one of the kind's watched
    /// operations, by its event source and its event name (matched as a prefix, as the rule does).
    public func isWatched(by kind: KindSchema) -> Bool {
        kind.watched.contains { event.eventSource == $0.eventSource && event.eventName.hasPrefix($0.eventName) }
    }

    /// Whether the event names the resource read as `physicalId`: every part of the id (split at `/`,
    /// `:` and `|`) is a value in its request, or a part of one (an ARN, a queue URL). A secret's ARN
    /// ends in its name and a hyphen and six characters (the Secrets Manager User Guide, "Secret ARN"):
    /// that name counts too. A name found where it is not the resource costs one read; a resource
    /// missed is found by the next full pass.
    public func names(_ physicalId: String) -> Bool {
        let parts = Self.parts(physicalId)
        guard !parts.isEmpty else { return false }
        let tokens = Self.tokens(of: event.requestParameters)
        return parts.allSatisfy(tokens.contains)
    }

    /// The declared resources the event is a change to: of a kind that watches its call, in its region
    /// (a global service's, such as Budgets, in any), in its account where the environment names one,
    /// and named by its request. `physicalIds` gives the id a `ref` resolved to in the last read; a
    /// resource known by neither is left to the next full pass.
    public func resources(in state: DesiredState, physicalIds: [ResourceKey: String]) -> [ResourceKey] {
        var found: [ResourceKey] = []
        for environment in state.environments {
            if let wanted = environment.account, let account, wanted != account { continue }
            for resource in environment.resources {
                guard let kind = resource.kind?.schema, isWatched(by: kind) else { continue }
                let global = kind.watched.contains { $0.service.globalHost != nil }
                guard global || resource.region == region else { continue }
                let id: String?
                if case .id(let declared) = resource.identity { id = declared } else { id = physicalIds[resource.key] }
                if let id, names(id) { found.append(resource.key) }
            }
        }
        return found
    }

    static func parts(_ text: Substring) -> [Substring] {
        text.split(whereSeparator: { "/:|".contains($0) })
    }

    static func parts(_ text: String) -> [String] { parts(text[...]).map(String.init) }

    /// Leaves read from a request at most: ballast's bound on what one event can cost to match.
    static let maxLeaves = 2_000

    /// Every string (and number) in a request, each whole and in its parts.
    static func tokens(of request: Value) -> Set<String> {
        var tokens: Set<String> = []
        var stack: [(Value, Int)] = [(request, 0)]
        var leaves = 0
        while let (value, depth) = stack.popLast(), leaves < maxLeaves {
            switch value {
            case .map(let fields) where depth < 16: stack += fields.values.map { ($0, depth + 1) }
            case .list(let items) where depth < 16: stack += items.map { ($0, depth + 1) }
            case .string(let text):
                leaves += 1
                let text = text.prefix(2_048)
                tokens.insert(String(text))
                for part in parts(text) {
                    tokens.insert(String(part))
                    if let name = secretName(part) { tokens.insert(name) }
                }
            case .int, .double:
                leaves += 1
                tokens.insert(value.description)
            default: continue
            }
        }
        return tokens
    }

    /// `name` from `name-AbCdEf`, the form a secret's ARN ends in.
    static func secretName(_ part: Substring) -> String? {
        guard part.count > 7, part.dropLast(6).last == "-",
              part.suffix(6).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        return String(part.dropLast(7))
    }
}

public extension CloudTrailEvent {
    /// A CloudTrail record (an EventBridge event's `detail`); nil without the fields every record has.
    init?(record: Value) {
        guard let id = record["eventID"]?.string, let name = record["eventName"]?.string,
              let source = record["eventSource"]?.string,
              let time = record["eventTime"]?.string.flatMap(Timestamp.parse) else { return nil }
        let identity = record["userIdentity"] ?? .map([:])
        let cap = UntrustedText.capped
        self.init(eventId: cap(id, 128), eventName: cap(name, 128), eventSource: cap(source, 256), time: time,
                  by: cap(Self.principal(identity), 2_048), userAgent: cap(record["userAgent"]?.string ?? "", 1_024),
                  sessionName: Self.sessionName(identity).map { cap($0, 256) },
                  requestParameters: record["requestParameters"] ?? .null,
                  readOnly: record["readOnly"]?.bool ?? false)
    }
}
