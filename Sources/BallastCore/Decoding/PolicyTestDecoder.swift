/// Decodes one `tests:` entry:
///
///     - name: a production log group kept a week is denied
///       policy: log-retention-minimum
///       environment: prod              # default: the policy's first environment, else "test"
///       resource: {type: AWS::Logs::LogGroup, id: /aws/x, properties: {RetentionInDays: 7}}
///       expect: fail                   # pass | fail | error | waived | skip
///
/// A change policy's test gives `change: {type, id, set: {/Path: {from, to}}}` (the plan
/// JSON's shape), optionally the `guard` a plan read for it (`{metric, observed, window, limit}`:
/// what the load was, since a test reads none), and, optionally, the desired `resource` the change
/// comes from.
struct PolicyTestDecoder {
    static let keys = ["name", "policy", "environment", "region", "resource", "change", "expect", "live"]
    static let changeKeys = ["type", "id", "set", "guard"]
    static let defaultRegion = "us-east-1"

    let policies: [Policy]
    let resources: ResourceDecoder

    func decode(_ node: Node, diagnostics: inout Diagnostics) -> PolicyTestCase? {
        guard let map = MappingReader(node, what: "a policy test", known: Self.keys, diagnostics: &diagnostics) else {
            return nil
        }
        let before = diagnostics.all.count
        let name = map.string("name", diagnostics: &diagnostics)
        let policy = map.string("policy", diagnostics: &diagnostics).flatMap { id -> Policy? in
            guard let found = policies.first(where: { $0.id == id }) else {
                diagnostics.add(
                    map["policy"]!.location,
                    "the test names an unknown policy '\(id)'" + Suggestion.hint(for: id, in: policies.map(\.id)))
                return nil
            }
            return found
        }
        let expect = map.string("expect", diagnostics: &diagnostics).flatMap { text -> PolicyTestCase.Expected? in
            let options = PolicyTestCase.Expected.allCases.map(\.rawValue)
            guard let expected = PolicyTestCase.Expected(rawValue: text) else {
                diagnostics.add(
                    map["expect"]!.location,
                    "expect must be one of \(options.joined(separator: ", ")), found '\(text)'"
                        + Suggestion.hint(for: text, in: options))
                return nil
            }
            return expected
        }
        let environment = map.string("environment", required: false, diagnostics: &diagnostics)
            ?? policy?.match.environments?.first ?? "test"
        var region = Self.defaultRegion
        if map["region"] != nil, let r = map.string("region", diagnostics: &diagnostics) {
            if RegionName.isValid(r) {
                region = r
            } else {
                diagnostics.add(map["region"]!.location, "'\(r)' is not an AWS region name (like us-east-1)")
            }
        }
        let desired = map["resource"].flatMap {
            resources.resource($0, environment: environment, defaultRegion: region, diagnostics: &diagnostics)
        }
        let subject = self.subject(
            map, policy: policy, desired: desired, environment: environment, region: region, diagnostics: &diagnostics)
        var live: [String: Value] = [:]
        if let node = map["live"] {
            if case .map(let fields) = node.value { live = fields } else {
                diagnostics.add(node.location, "'live' must be a mapping (lastRotated: ...), found \(node.kindName)")
            }
        }
        guard diagnostics.all.count == before, let name, let policy, let expect, let subject else { return nil }
        var test = PolicyTestCase(name: name, policy: policy.id, subject: subject, expect: expect,
                                  source: node.location)
        test.live = live
        return test
    }

    func subject(_ map: MappingReader, policy: Policy?, desired: DesiredResource?, environment: String, region: String,
                 diagnostics: inout Diagnostics) -> PolicyTestCase.Subject? {
        guard let changeNode = map["change"] else {
            if map["resource"] == nil {
                diagnostics.add(
                    map.node.location,
                    "a policy test needs 'resource' (for a state policy) or 'change' (for a change policy)")
            }
            if let policy, policy.scope == .change {
                diagnostics.add(
                    map.node.location, "'\(policy.id)' runs on changes (on: change); give the test a 'change'")
            }
            return desired.map { .resource($0) }
        }
        if let policy, policy.scope == .state {
            diagnostics.add(
                changeNode.location,
                "'\(policy.id)' runs on the desired state; give the test a 'resource', not a 'change'")
        }
        guard
            let change = MappingReader(
                changeNode, what: "a test's change", known: Self.changeKeys, diagnostics: &diagnostics)
        else { return nil }
        let type = change.string("type", required: desired == nil, diagnostics: &diagnostics) ?? desired?.type
        let id =
            change.string("id", required: desired == nil, diagnostics: &diagnostics) ?? desired?.identity.description
        guard let setNode = change["set"] else {
            diagnostics.add(changeNode.location, "a test's change needs 'set': {/Property: {from: old, to: new}}")
            return nil
        }
        guard let entries = setNode.entries else {
            diagnostics.add(
                setNode.location, "'set' must be a mapping of property paths to {from, to}, found \(setNode.kindName)")
            return nil
        }
        var set: [String: PlannedChange.Assignment] = [:]
        for entry in entries {
            guard entry.key.hasPrefix("/") else {
                diagnostics.add(entry.keyLocation, "a property path starts with '/', like /\(entry.key)")
                continue
            }
            guard
                let assignment = MappingReader(
                    entry.value, what: "an assignment", known: ["from", "to"], diagnostics: &diagnostics)
            else { continue }
            guard let to = assignment["to"] else {
                diagnostics.add(entry.value.location, "an assignment needs 'to' (and 'from' unless AWS had no value)")
                continue
            }
            set[entry.key] = .init(from: assignment["from"]?.value, to: to.value)
        }
        let loadGuard = change["guard"].flatMap { Self.loadGuard($0, diagnostics: &diagnostics) }
        guard let type, let id else { return nil }
        if let desired, desired.type != type {
            diagnostics.add(
                change["type"]!.location, "the change's type \(type) is not the resource's \(desired.type)")
        }
        let key = ResourceKey(environment: environment, type: type, id: desired?.key.id ?? id,
                              region: desired?.region ?? region)
        // With its type's kind, so the change knows its risk (`change.risk`) as a plan's would.
        var planned = PlannedChange(key, id: id, operation: APIOperation(recordedCall: "test"), set: set,
                                    kind: desired?.kind ?? resources.kinds[type])
        planned.loadGuard = loadGuard
        return .change(planned, desired: desired)
    }

    /// `guard: {metric, observed, window, limit}` as a plan's JSON has it; `observed: null` (or left out)
    /// is a metric that said nothing.
    static func loadGuard(_ node: Node, diagnostics: inout Diagnostics) -> ChangeGuard? {
        guard let reader = MappingReader(node, what: "a change's guard", known: ["metric", "observed", "window",
                                                                               "limit"], diagnostics: &diagnostics)
        else { return nil }
        let metric = reader.string("metric", diagnostics: &diagnostics)
        let window = reader.string("window", required: false, diagnostics: &diagnostics) ?? "1h"
        func number(_ key: String) -> Double?? {
            guard let value = reader[key] else { return .some(nil) }
            if value.value == .null { return .some(nil) }
            guard let number = value.value.number, number.isFinite else {
                diagnostics.add(value.location, "'\(key)' must be a number, found \(value.kindName)")
                return nil
            }
            return .some(number)
        }
        guard let metric, let observed = number("observed"), let limit = number("limit") else { return nil }
        guard let limit else {
            diagnostics.add(node.location, "a change's guard is missing 'limit' (the new value)")
            return nil
        }
        return ChangeGuard(metric: metric, observed: observed, window: window, limit: limit)
    }
}
