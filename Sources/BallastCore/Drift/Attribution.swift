import FoundationEssentials

/// Who changed a drifted resource and since when (`drift --explain`): the live side from
/// CloudTrail or an autoscaler's activity, the desired side from git, each absent when unknown,
/// with notes saying why. Everything in it came from AWS or the repository: renderers escape it.
public struct Attribution: Sendable, Equatable {
    /// The write that made the live value, as CloudTrail or an autoscaler recorded it.
    public struct LiveChange: Sendable, Equatable {
        /// The caller's ARN, or the service that acted (`autoscaling.amazonaws.com`).
        public var by: String
        public var at: Date
        /// `console`, `cli`, `sdk`, `cloudformation`, `terraform`, `ballast` or `autoscaling`.
        public var via: String
        public var eventId: String?
        /// The API call (`logs:PutRetentionPolicy`), or an autoscaler's cause text.
        public var cause: String?

        public init(by: String, at: Date, via: String, eventId: String? = nil, cause: String? = nil) {
            self.by = by
            self.at = at
            self.via = via
            self.eventId = eventId
            self.cause = cause
        }
    }

    /// The commit that last set the owned line.
    public struct DesiredChange: Sendable, Equatable {
        public var commit: String
        public var author: String
        public var at: Date
        public var subject: String

        public init(commit: String, author: String, at: Date, subject: String) {
            self.commit = commit
            self.author = author
            self.at = at
            self.subject = subject
        }
    }

    public var live: LiveChange?
    public var desired: DesiredChange?
    /// The first run that saw this drift.
    public var driftSince: Date?
    /// What could not be found, and why ("no matching event in the last 90 days").
    public var notes: [String]

    public init(live: LiveChange? = nil, desired: DesiredChange? = nil, driftSince: Date? = nil,
                notes: [String] = []) {
        self.live = live
        self.desired = desired
        self.driftSince = driftSince
        self.notes = notes
    }

    /// Spec section 7's `attribution` object: each part absent when unknown, `note` saying why.
    public var json: Value {
        var fields: [String: Value] = [:]
        if let live {
            var part: [String: Value] = ["by": .string(live.by), "at": .string(Timestamp.iso8601(live.at)),
                                         "via": .string(live.via)]
            if let eventId = live.eventId { part["eventId"] = .string(eventId) }
            if let cause = live.cause { part["cause"] = .string(cause) }
            fields["live"] = .map(part)
        }
        if let desired {
            fields["desired"] = ["commit": .string(desired.commit), "author": .string(desired.author),
                                 "at": .string(Timestamp.iso8601(desired.at)), "subject": .string(desired.subject)]
        }
        if let driftSince { fields["driftSince"] = .string(Timestamp.iso8601(driftSince)) }
        if !notes.isEmpty { fields["note"] = .string(notes.joined(separator: "; ")) }
        return .map(fields)
    }

    public init?(json: Value?) {
        guard case .map = json else { return nil }
        self.init()
        if let live = json?["live"], let by = live["by"]?.string, let at = live["at"]?.string.flatMap(Timestamp.parse),
           let via = live["via"]?.string {
            self.live = LiveChange(by: by, at: at, via: via, eventId: live["eventId"]?.string,
                                   cause: live["cause"]?.string)
        }
        if let desired = json?["desired"], let commit = desired["commit"]?.string,
           let at = desired["at"]?.string.flatMap(Timestamp.parse) {
            self.desired = DesiredChange(commit: commit, author: desired["author"]?.string ?? "", at: at,
                                         subject: desired["subject"]?.string ?? "")
        }
        driftSince = json?["driftSince"]?.string.flatMap(Timestamp.parse)
        notes = json?["note"]?.string.map { [$0] } ?? []
    }

    /// One line: `changed by assumed-role/OpsOnCall/alice via console at 2026-11-20T03:12:07Z
    /// (event 3f2a…); desired since 4be1c0d by Ops Bot, 2026-10-02`, then the notes.
    public var summary: String {
        var parts: [String] = []
        if let live {
            var said = "changed by \(Self.short(live.by)) via \(live.via) at \(Timestamp.iso8601(live.at))"
            if let eventId = live.eventId { said += " (event \(eventId.prefix(8))…)" }
            if live.via == "autoscaling" || live.via == "ballast", let cause = live.cause { said += ": \(cause)" }
            parts.append(said)
        }
        if let desired {
            parts.append("desired since \(desired.commit.prefix(7)) by \(desired.author), "
                + String(Timestamp.iso8601(desired.at).prefix(10)))
        }
        if let driftSince { parts.append("drifted since \(Timestamp.iso8601(driftSince))") }
        return (parts + notes).joined(separator: "; ")
    }

    /// An ARN's resource part, as people say it: `assumed-role/OpsOnCall/alice`, `user/dana`, `root`.
    public static func short(_ by: String) -> String {
        guard by.hasPrefix("arn:") else { return by }
        let parts = by.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 && !parts[5].isEmpty ? String(parts[5]) : by
    }
}

/// One CloudTrail management event as `LookupEvents` returns it, with the parts of its
/// `CloudTrailEvent` document attribution reads.
public struct CloudTrailEvent: Sendable, Equatable {
    public var eventId: String
    public var eventName: String
    /// `logs.amazonaws.com`.
    public var eventSource: String
    public var time: Date
    public var by: String
    public var userAgent: String
    /// The session's name for an assumed role (`alice`), or the IAM user's name.
    public var sessionName: String?
    public var requestParameters: Value
    /// CloudTrail's `ReadOnly`.
    public var readOnly: Bool

    /// ballast's bound, not AWS's: a `CloudTrailEvent` document longer than this is not parsed (its
    /// caller and parameters are then unknown, so it names no one), keeping a hostile answer's cost bounded.
    public static let maxDocumentBytes = 256 << 10

    public init(eventId: String, eventName: String, eventSource: String, time: Date, by: String, userAgent: String,
                sessionName: String?, requestParameters: Value, readOnly: Bool = false) {
        self.eventId = eventId
        self.eventName = eventName
        self.eventSource = eventSource
        self.time = time
        self.by = by
        self.userAgent = userAgent
        self.sessionName = sessionName
        self.requestParameters = requestParameters
        self.readOnly = readOnly
    }

    /// One entry of `LookupEvents`' `Events`; nil when it is not one.
    public init?(lookedUp entry: Value) {
        guard let id = entry["EventId"]?.string, let name = entry["EventName"]?.string,
              let seconds = entry["EventTime"]?.number else { return nil }
        let text = entry["CloudTrailEvent"]?.string ?? "{}"
        let document = text.utf8.count <= Self.maxDocumentBytes ? (try? JSON.parse(text)) ?? .map([:]) : .map([:])
        let identity = document["userIdentity"] ?? .map([:])
        // Each field outside and inside the document bounded (ballast's bounds, each at or past what AWS
        // sends: an ARN is at most 2,048 characters, botocore's iam model `arnType`; an API's name well
        // under 128), so no answer can make a report larger than a reader can take.
        let cap = UntrustedText.capped
        self.init(eventId: cap(id, 128), eventName: cap(name, 128),
                  eventSource: cap(entry["EventSource"]?.string ?? document["eventSource"]?.string ?? "", 256),
                  time: Date(timeIntervalSince1970: seconds), by: cap(Self.principal(identity), 2_048),
                  userAgent: cap(document["userAgent"]?.string ?? "", 1_024),
                  sessionName: Self.sessionName(identity).map { cap($0, 256) },
                  requestParameters: document["requestParameters"] ?? .null,
                  readOnly: entry["ReadOnly"]?.string == "true")
    }

    /// The caller's ARN (spec section 7's `by`: `arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice`),
    /// or the AWS service that acted.
    static func principal(_ identity: Value) -> String {
        if identity["type"]?.string == "AWSService" { return identity["invokedBy"]?.string ?? "an AWS service" }
        if let arn = identity["arn"]?.string, !arn.isEmpty { return arn }
        if identity["type"]?.string == "IAMUser", let name = identity["userName"]?.string { return "user/" + name }
        return identity["invokedBy"]?.string ?? "unknown"
    }

    static func sessionName(_ identity: Value) -> String? {
        switch identity["type"]?.string {
        case "AssumedRole": return identity["arn"]?.string?.split(separator: "/").last.map(String.init)
        case "IAMUser": return identity["userName"]?.string
        default: return nil
        }
    }

    /// `logs:PutRetentionPolicy`: the service's part of the event source and the call's name.
    public var call: String {
        (eventSource.split(separator: ".").first.map(String.init) ?? eventSource) + ":" + eventName
    }

    /// Whether the event says it is ballast's (its user agent, or a `ballast-` session name): a hint
    /// only, since anyone can send either. ballast's own write is recognised by a journal entry that
    /// matches it (`JournalEntry.wrote(_:of:)`), never by this.
    public var claimsBallast: Bool {
        userAgent.lowercased().hasPrefix("ballast/") || (sessionName?.hasPrefix("ballast-") ?? false)
    }

    /// How it was made, from the user agent (and the caller, for AWS's own services). Never
    /// `ballast`: that takes a journal entry (the explainer says it).
    public var via: String {
        let agent = userAgent.lowercased()
        if agent.contains("cloudformation.amazonaws.com") || by == "cloudformation.amazonaws.com" {
            return "cloudformation"
        }
        if agent.contains("autoscaling.amazonaws.com") || by.hasSuffix("autoscaling.amazonaws.com") {
            return "autoscaling"
        }
        if agent.contains("terraform") { return "terraform" }
        if agent.hasPrefix("aws-cli/") || agent.contains(" aws-cli/") { return "cli" }
        if agent.contains("console.amazonaws.com") || agent.contains("signin.amazonaws.com")
            || agent == "aws internal" || agent.hasPrefix("aws internal/") { return "console" }
        return "sdk"
    }

    /// The value its request gives for a property path, at the path the API documents for it: the
    /// property's names from the top of `requestParameters`, compared without case
    /// (`/ProvisionedThroughput/ReadCapacityUnits` is `provisionedThroughput.readCapacityUnits`); a list
    /// index matches any entry of a list. A name deeper in the request (a tag named `retentionInDays`)
    /// is not the property.
    public func value(at path: String) -> Value? {
        Self.walk(requestParameters, PropertyPath.segments(path)[...])
    }

    static func walk(_ value: Value, _ names: ArraySlice<String>) -> Value? {
        guard let name = names.first else { return value }
        switch value {
        case .map(let fields):
            let wanted = name.lowercased()
            guard let key = fields.keys.first(where: { $0.lowercased() == wanted }) else { return nil }
            return walk(fields[key]!, names.dropFirst())
        case .list(let items) where Int(name) != nil:
            return items.lazy.compactMap { walk($0, names.dropFirst()) }.first
        default:
            return nil
        }
    }

    /// Whether it changed something: one of the kind's writes, or any call CloudTrail does not mark
    /// read-only (a runbook's `set-desired-capacity` is not the kind's `UpdateAutoScalingGroup`).
    public func isWrite(_ writes: Set<String>) -> Bool {
        writes.contains(eventName)
            || (!readOnly && !["Describe", "Get", "List", "Lookup"].contains(where: eventName.hasPrefix))
    }

    /// The event that made a drift: the newest write (a delete, for a DELETED resource) whose request
    /// gives a property that now differs, at its documented path. `writes` are the kind's write API names.
    public static func culprit(_ events: [CloudTrailEvent], for drift: ResourceDrift,
                               writes: Set<String>) -> CloudTrailEvent? {
        let newest = events.sorted { $0.time > $1.time }
        if drift.status == .deleted { return newest.first { $0.eventName.hasPrefix("Delete") } }
        return newest.first { event in
            event.isWrite(writes) && drift.differences.contains { event.value(at: $0.path) != nil }
        }
    }
}
