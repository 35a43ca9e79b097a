import Foundation

/// Runs policies: state policies on every matching desired resource (a ranged
/// property at each finite bound), change policies on each planned change;
/// applies waivers; reports expired waivers.
public struct PolicyEngine: Sendable {
    let set: PolicySet
    let today: Date

    public init(_ set: PolicySet, today: Date = Date()) {
        self.set = set
        self.today = today
    }

    public func check(_ state: DesiredState, changes: [PlannedChange]? = nil) -> [PolicyResult] {
        var results: [PolicyResult] = []
        let resources = state.environments.flatMap(\.resources)
        let statePolicies = set.policies.filter { $0.scope == .state }
        for resource in resources {
            let id = resource.identity.description
            let matching = statePolicies.filter { $0.match.matches(type: resource.type, id: id, environment: resource.environment) }
            guard !matching.isEmpty else { continue }
            // The resource's variables are made once, for every policy that matches it.
            let variants = Self.boundVariants(resource.properties).map { variant in
                (label: variant.label, variables: ["properties": CELValue(.map(variant.properties)), "environment": .string(resource.environment),
                                                   "resource": Self.resourceValue(resource)] as [String: CELValue])
            }
            for policy in matching { results.append(waive(evaluate(policy, on: resource, variants: variants), type: resource.type, id: id)) }
        }
        // Policy order, as the files list them.
        let order = Dictionary(uniqueKeysWithValues: set.policies.enumerated().map { ($1.id, $0) })
        results.sort { order[$0.policy, default: 0] < order[$1.policy, default: 0] }
        if let changes {
            let bySource = Dictionary(resources.map { ("\($0.environment) \($0.type) \($0.identity.description)", $0) }, uniquingKeysWith: { a, _ in a })
            for policy in set.policies where policy.scope == .change {
                for change in changes where policy.match.matches(type: change.type, id: change.id, environment: change.environment) {
                    let resource = bySource["\(change.environment) \(change.type) \(change.id)"]
                    results.append(waive(evaluate(policy, on: change, desired: resource), type: change.type, id: change.id))
                }
            }
        }
        return results + expiredWaivers()
    }

    func evaluate(_ policy: Policy, on resource: DesiredResource,
                  variants: [(label: String?, variables: [String: CELValue])]) -> PolicyResult {
        var result = PolicyResult(policy: policy.id, severity: policy.severity, resource: "\(resource.type) \(resource.identity)",
                                  environment: resource.environment, message: "", result: .pass, source: resource.source)
        for variant in variants {
            let outcome = run(policy, variant.variables)
            guard outcome.result != .pass else { continue }
            result.result = outcome.result
            result.message = outcome.message + (variant.label.map { " (with \($0))" } ?? "")
            return result
        }
        return result
    }

    func evaluate(_ policy: Policy, on change: PlannedChange, desired: DesiredResource?) -> PolicyResult {
        var before: [String: Value] = [:], after: [String: Value] = [:]
        for (path, assignment) in change.set {
            if let from = assignment.from { Self.place(from, at: path, in: &before) }
            Self.place(assignment.to, at: path, in: &after)
        }
        var resource: [CELKey: CELValue] = [.string("type"): .string(change.type), .string("id"): .string(change.id),
                                            .string("region"): .string(change.region)]
        if let desired { resource[.string("source")] = .string("\(desired.source.file):\(desired.source.line)") }
        let variables: [String: CELValue] = ["before": CELValue(.map(before)), "after": CELValue(.map(after)),
                                             "properties": CELValue(.map(desired.map { Self.boundVariants($0.properties)[0].properties } ?? [:])),
                                             "environment": .string(change.environment), "resource": .map(resource)]
        let outcome = run(policy, variables)
        return PolicyResult(policy: policy.id, severity: policy.severity, resource: "\(change.type) \(change.id)",
                            environment: change.environment, message: outcome.message, result: outcome.result, source: desired?.source)
    }

    func run(_ policy: Policy, _ variables: [String: CELValue]) -> (result: PolicyResult.Outcome, message: String) {
        do {
            switch try policy.assert.evaluate(variables) {
            case .bool(true): return (.pass, "")
            case .bool(false): return (.fail, policy.failureMessage)
            case let other: return (.error, "assert gave \(other.typeName), not bool (\(policy.assertLocation))")
            }
        } catch {
            var at = policy.assertLocation
            at.column += error.offset
            return (.error, "cannot evaluate: \(error.message) (\(at))")
        }
    }

    func waive(_ result: PolicyResult, type: String, id: String) -> PolicyResult {
        guard result.result == .fail || result.result == .error else { return result }
        guard let waiver = set.waivers.first(where: {
            $0.policy == result.policy && !$0.isExpired(on: today) && $0.match.matches(type: type, id: id, environment: result.environment)
        }) else { return result }
        var waived = result
        waived.result = .waived
        waived.reason = "\(waiver.reason) (waiver until \(waiver.untilText), \(waiver.source))"
        return waived
    }

    func expiredWaivers() -> [PolicyResult] {
        set.waivers.filter { $0.isExpired(on: today) }.map { waiver in
            PolicyResult(policy: waiver.policy, severity: .warn, resource: waiver.match.id ?? "*", environment: waiver.match.environments?.joined(separator: ",") ?? "*",
                         message: "the waiver of \(waiver.policy) expired on \(waiver.untilText) and no longer applies: \(waiver.reason)",
                         result: .fail, source: waiver.source)
        }
    }

    /// Declared properties as values; each ranged property at each finite
    /// bound (every combination), labelled for messages.
    static func boundVariants(_ properties: [String: Expectation]) -> [(properties: [String: Value], label: String?)] {
        var variants: [([String: Value], [String])] = [([:], [])]
        func expand(_ expectation: Expectation, path: String) -> [(Value, String?)] {
            switch expectation {
            case .exact(let value): return [(value, nil)]
            case .range(let range):
                let bounds = [range.lower, range.upper].compactMap { $0 }
                return bounds.map { ($0, "\(path) = \($0)") }
            case .object(let fields):
                var objects: [([String: Value], [String])] = [([:], [])]
                for (name, inner) in fields.sorted(by: { $0.key < $1.key }) {
                    let options = expand(inner, path: path + "." + name)
                    objects = objects.flatMap { object in options.map { (object.0.merging([name: $0.0]) { _, new in new }, object.1 + [$0.1].compactMap { $0 }) } }
                }
                return objects.map { (.map($0.0), $0.1.isEmpty ? nil : $0.1.joined(separator: ", ")) }
            }
        }
        for (name, expectation) in properties.sorted(by: { $0.key < $1.key }) {
            let options = expand(expectation, path: name)
            variants = variants.flatMap { variant in options.map { (variant.0.merging([name: $0.0]) { _, new in new }, variant.1 + [$0.1].compactMap { $0 }) } }
        }
        return variants.map { ($0.0, $0.1.isEmpty ? nil : $0.1.joined(separator: ", ")) }
    }

    static func resourceValue(_ resource: DesiredResource) -> CELValue {
        .map([.string("type"): .string(resource.type), .string("id"): .string(resource.identity.description),
              .string("region"): .string(resource.region), .string("source"): .string("\(resource.source.file):\(resource.source.line)")])
    }

    /// Puts `value` at `/A/B` in a nested map.
    static func place(_ value: Value, at path: String, in map: inout [String: Value]) {
        let parts = path.split(separator: "/").map(String.init)
        guard let first = parts.first else { return }
        if parts.count == 1 { map[first] = value; return }
        var inner: [String: Value] = [:]
        if case .map(let existing)? = map[first] { inner = existing }
        place(value, at: "/" + parts.dropFirst().joined(separator: "/"), in: &inner)
        map[first] = .map(inner)
    }
}
