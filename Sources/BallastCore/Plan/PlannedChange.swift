/// One API write that moves live values to desired ones (spec section 4 `changes`).
public struct PlannedChange: Sendable, Equatable {
    public struct Assignment: Sendable, Equatable {
        /// The live value the plan was made against; nil when AWS had none.
        public var from: Value?
        public var to: Value

        public init(from: Value?, to: Value) {
            self.from = from
            self.to = to
        }
    }

    /// The resource as declared.
    public var key: ResourceKey
    /// The id the write addresses: the declared one, or the one its `ref` resolved to.
    public var id: String
    public var action: ChangeAction
    /// The write that makes the change, one of its kind's.
    public var operation: APIOperation
    /// Property path -> from/to.
    public var set: [String: Assignment]
    /// The kind that writes it: its resource's, handed on by the planner, or resolved once where a saved
    /// plan is read; nil when no kind of this build has its type (a saved plan refuses it by name).
    public var kind: AnyResourceKind?
    /// What the live load said about a capacity this change lowers (`LoadGuards`), when it is below what
    /// was observed or unknown.
    public var loadGuard: ChangeGuard?

    public init(_ key: ResourceKey, id: String? = nil, action: ChangeAction = .update, operation: APIOperation,
                set: [String: Assignment], kind: AnyResourceKind? = nil) {
        self.key = key
        self.kind = kind
        self.id = id ?? key.id
        self.action = action
        self.operation = operation
        self.set = set
    }

    /// `autoscaling:UpdateAutoScalingGroup`: the operation as a plan file names it.
    public var call: String { operation.call }

    /// Destructive when one of its values moves the way its kind declares destructive (a retention
    /// lowered, a recovery turned off); nil otherwise, and for a change no kind of this build writes.
    public var risk: ChangeRisk? {
        let reasons = (kind?.schema.destructive ?? []).filter { destructive in
            set[destructive.path].map { destructive.applies(from: $0.from, to: $0.to) } ?? false
        }.map(\.reason)
        return reasons.isEmpty ? nil : ChangeRisk(.destructive, reason: reasons.joined(separator: " "))
    }

    /// `{"type","id","region","action":"update","call","set":{"/DesiredCapacity":{"from":5,"to":3}}}`, and
    /// `declaredId` where a `ref` resolved to another id.
    public var json: Value {
        var fields: [String: Value] = [
            "type": .string(key.type), "id": .string(id), "region": .string(key.region),
            "environment": .string(key.environment), "action": .string(action.rawValue), "call": .string(call),
            "set": .map(set.mapValues { .map(["from": $0.from ?? .null, "to": $0.to]) })]
        if id != key.id { fields["declaredId"] = .string(key.id) }
        if let risk { fields["risk"] = risk.json }
        if let loadGuard { fields["guard"] = loadGuard.json }
        return .map(fields)
    }
}

/// What each differing property should become: a fixed value, or the nearest
/// bound of its range. Lists and maps are set whole (alarm actions, dimensions, rules).
public enum PlanTargets {
    public static func assignments(for drift: ResourceDrift) -> [String: PlannedChange.Assignment] {
        guard drift.status == .modified, let live = drift.live else { return [:] }
        var set: [String: PlannedChange.Assignment] = [:]
        for leaf in drift.resource.leaves {
            let current = value(at: leaf.path, in: live)
            let touched = drift.differences.contains { $0.path == leaf.path || $0.path.hasPrefix(leaf.path + "/") }
            guard touched else { continue }
            switch leaf.expectation {
            case .exact(let wanted): set[leaf.path] = .init(from: current, to: wanted)
            case .range(let range):
                guard let bound = current.flatMap(range.nearestBound) ?? range.lower ?? range.upper else { continue }
                set[leaf.path] = .init(from: current, to: bound)
            case .object: continue
            }
        }
        return set
    }
}

public extension PlannedChange {
    /// Reads a change back from a plan file, a report or a journal, with the kind `kinds` has for its
    /// type (the one lookup of it); nil when it is malformed. A call the kind does not make, or a type
    /// with no kind, is kept as written, so the saved-plan check refuses it by name and a merge keeps it.
    init?(json: Value, kinds: (_ type: String) -> AnyResourceKind?) {
        guard let type = json["type"]?.string else { return nil }
        let kind = kinds(type)
        self.init(json: json) { _, call in kind?.schema.write(call: call) ?? APIOperation(recordedCall: call) }
        self.kind = kind
    }

    /// Reads a change back; nil when it is malformed, or when `operation` knows no write of its type by
    /// its `call`.
    init?(json: Value, operation: (_ type: String, _ call: String) -> APIOperation?) {
        guard let type = json["type"]?.string, let id = json["id"]?.string, let region = json["region"]?.string,
              let call = json["call"]?.string, let written = operation(type, call),
              let action = ChangeAction(rawValue: json["action"]?.string ?? ChangeAction.update.rawValue),
              case .map(let set)? = json["set"] else { return nil }
        var assignments: [String: Assignment] = [:]
        for (path, assignment) in set {
            guard let to = assignment["to"] else { return nil }
            assignments[path] = Assignment(from: assignment["from"], to: to)
        }
        let key = ResourceKey(environment: json["environment"]?.string ?? "", type: type,
                              id: json["declaredId"]?.string ?? id, region: region)
        self.init(key, id: id, action: action, operation: written, set: assignments)
    }
}
