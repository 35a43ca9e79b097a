import FoundationEssentials

/// A hand change held while an incident lasts (`ballast hold`, spec section 8): the live values of
/// some owned properties of one declared resource are left as they are until `until` or a release,
/// with who held them and why. While it lasts, drift shows the difference as held, plans never
/// write it, and a run whose only differences are held exits 0. Kept where the environment keeps
/// its journal; everything in it is untrusted text to whoever shows it.
public struct Hold: Sendable, Equatable {
    public var id: String
    /// The resource as declared (its id is a ref's text, `stack/logicalId (CloudFormation)`, for a ref).
    public var resource: ResourceKey
    /// Property paths held (JSON Pointers); empty holds every owned property.
    public var properties: [String]
    /// The AWS caller's ARN that made it.
    public var by: String
    /// git's user where the hold was made, when known.
    public var gitUser: String?
    public var createdAt: Date
    public var until: Date
    public var reason: String
    public var releasedAt: Date?
    public var releasedBy: String?
    /// A run already named it as ended (`holdEnded` is said once).
    public var endReported = false
    /// `hmac-sha256:HEX` over `signed` with `BALLAST_PLAN_KEY`, when one was set.
    public var mac: String?

    /// At most a week ("--for at most 168h"): an incident's hold, never a way to stop managing a value.
    public static let longest: TimeInterval = 168 * 3_600
    public static let reasonLength = 1...500

    public init(id: String = "h-" + UUID().uuidString.lowercased().replacing("-", with: "").prefix(12),
                resource: ResourceKey, properties: [String],
                by: String, gitUser: String?, createdAt: Date, until: Date, reason: String) {
        self.id = id
        self.resource = resource
        self.properties = properties
        self.by = by
        self.gitUser = gitUser
        self.createdAt = createdAt
        self.until = until
        self.reason = reason
    }

    /// Whether it holds at `now`: made, not released, not past `until`.
    public func active(at now: Date) -> Bool { releasedAt == nil && now < until && createdAt <= now }

    /// When it ended (its release, or `until`), or nil while it lasts.
    public func ended(at now: Date) -> Date? {
        if let releasedAt { return releasedAt }
        return now >= until ? until : nil
    }

    /// Whether it holds `path` of its resource (every owned property when it names none).
    public func covers(_ path: String) -> Bool {
        properties.isEmpty || properties.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// Whether it is about `drift`'s resource.
    public func names(_ drift: ResourceDrift) -> Bool { drift.key == resource }

    /// What a difference or a report says of it: `{"id", "by", "until", "reason"}`.
    public var mark: HoldMark { HoldMark(id: id, by: by, until: until, reason: reason) }

    /// The fields the MAC covers: everything that says what is held, by whom, until when and why.
    public var signed: Value {
        var fields: [String: Value] = [
            "id": .string(id), "environment": .string(resource.environment), "type": .string(resource.type),
            "region": .string(resource.region), "resourceId": .string(resource.id),
            "properties": .list(properties.map(Value.string)), "by": .string(by),
            "createdAt": .string(Timestamp.iso8601(createdAt)), "until": .string(Timestamp.iso8601(until)),
            "reason": .string(reason),
        ]
        if let gitUser { fields["gitUser"] = .string(gitUser) }
        return .map(fields)
    }

    public var json: Value {
        guard case .map(var fields) = signed else { return .null }
        if let mac { fields["mac"] = .string(mac) }
        if let releasedAt { fields["releasedAt"] = .string(Timestamp.iso8601(releasedAt)) }
        if let releasedBy { fields["releasedBy"] = .string(releasedBy) }
        if endReported { fields["endReported"] = true }
        return .map(fields)
    }

    /// A hold read back; nil when any field is missing or malformed (a hold is repository or
    /// lock-table text: what does not read as one is not one).
    public init?(json: Value) {
        guard let id = json["id"]?.string, let environment = json["environment"]?.string,
              let type = json["type"]?.string, let region = json["region"]?.string,
              let resourceId = json["resourceId"]?.string, let by = json["by"]?.string,
              let createdAt = json["createdAt"]?.string.flatMap(Timestamp.parse),
              let until = json["until"]?.string.flatMap(Timestamp.parse), let reason = json["reason"]?.string,
              case .list(let properties)? = json["properties"] else { return nil }
        let paths = properties.compactMap(\.string)
        guard paths.count == properties.count, Self.reasonLength.contains(reason.count), id.count <= 64,
              until.timeIntervalSince(createdAt) <= Self.longest + 60 else { return nil }
        self.init(id: id, resource: ResourceKey(environment: environment, type: type, id: resourceId, region: region),
                  properties: paths, by: by, gitUser: json["gitUser"]?.string, createdAt: createdAt, until: until,
                  reason: reason)
        mac = json["mac"]?.string
        releasedAt = json["releasedAt"]?.string.flatMap(Timestamp.parse)
        releasedBy = json["releasedBy"]?.string
        endReported = json["endReported"] == true
    }
}

/// A hold as a report names it: a held difference's `held`, a resource's `holdEnded`.
public struct HoldMark: Sendable, Equatable {
    public var id: String
    public var by: String
    public var until: Date
    public var reason: String

    public init(id: String, by: String, until: Date, reason: String) {
        self.id = id
        self.by = by
        self.until = until
        self.reason = reason
    }

    public var json: Value {
        ["id": .string(id), "by": .string(by), "until": .string(Timestamp.iso8601(until)), "reason": .string(reason)]
    }

    public init?(json: Value?) {
        guard let id = json?["id"]?.string, let by = json?["by"]?.string,
              let until = json?["until"]?.string.flatMap(Timestamp.parse) else { return nil }
        self.init(id: id, by: by, until: until, reason: json?["reason"]?.string ?? "")
    }

    /// `held by assumed-role/OpsOnCall/alice until 2026-12-06T08:00:00Z: INC-4411: peak traffic`.
    public var summary: String {
        "held by \(Attribution.short(by)) until \(Timestamp.iso8601(until)): \(reason)"
    }
}

public enum Holds {
    /// The report with each difference an active hold covers marked held, and each resource whose
    /// hold ended and was not yet named given `holdEnded` (the newest such hold).
    public static func apply(_ holds: [Hold], to report: DriftReport, now: Date) -> DriftReport {
        guard !holds.isEmpty else { return report }
        var marked = report
        for e in marked.environments.indices {
            for r in marked.environments[e].resources.indices {
                let drift = marked.environments[e].resources[r]
                let mine = holds.filter { $0.names(drift) }
                guard !mine.isEmpty else { continue }
                let active = mine.filter { $0.active(at: now) }
                for d in drift.differences.indices {
                    let path = drift.differences[d].path
                    if let hold = active.first(where: { $0.covers(path) }) {
                        marked.environments[e].resources[r].differences[d].held = hold.mark
                    }
                }
                // Said once where the run can record it; where it cannot (a read-only role), for a week at most.
                let ended = mine.filter { hold in
                    guard !hold.endReported, !hold.active(at: now), let end = hold.ended(at: now) else { return false }
                    return now.timeIntervalSince(end) <= Hold.longest
                }
                if let newest = ended.max(by: { $0.ended(at: now)! < $1.ended(at: now)! }) {
                    marked.environments[e].resources[r].holdEnded = newest.mark
                }
            }
        }
        return marked
    }

    /// `changes` without what a hold in `report` keeps (a saved plan made before the hold): each held
    /// assignment left out, a change left with none dropped; what was left out, said as `type id path`.
    public static func unheld(_ changes: [PlannedChange], report: DriftReport) -> (changes: [PlannedChange],
                                                                                 held: [String]) {
        var kept: [PlannedChange] = []
        var held: [String] = []
        for change in changes {
            let drift = report.resources.first { $0.key == change.key }
            let heldPaths = drift?.differences.filter { $0.held != nil }.map(\.path) ?? []
            var copy = change
            for path in change.set.keys.sorted()
            where heldPaths.contains(where: { $0 == path || $0.hasPrefix(path + "/") || path.hasPrefix($0 + "/") }) {
                copy.set[path] = nil
                held.append("\(change.key.type) \(change.id) \(path)")
            }
            if !copy.set.isEmpty { kept.append(copy) }
        }
        return (kept, held)
    }

    /// The holds a report named as ended, for the store to remember (they are said once).
    public static func ended(in report: DriftReport) -> [String] {
        report.resources.compactMap { $0.holdEnded?.id }
    }
}

public extension ResourceDrift {
    /// MODIFIED with every difference held: the hand change is known and kept, not open drift.
    var onlyHeld: Bool { status == .modified && !differences.isEmpty && differences.allSatisfy { $0.held != nil } }

    /// The resource with its held differences left out: what a plan may write.
    var withoutHeld: ResourceDrift {
        var copy = self
        copy.differences.removeAll { $0.held != nil }
        return copy
    }
}
