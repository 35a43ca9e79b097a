import FoundationEssentials
import Dispatch

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

    /// Every result: state policies resource by resource (in the files' order; for each resource,
    /// the policies in theirs), then change policies change by change, then expired waivers.
    /// `drift` (a plan's report) names the physical ids `ref:` resources resolved to, so a change
    /// to one finds its desired resource.
    public func check(
        _ state: DesiredState, changes: [PlannedChange]? = nil, drift: DriftReport? = nil
    ) -> [PolicyResult] {
        let resources = state.environments.flatMap(\.resources)
        let kinds = ResourceKinds(resources)
        // Type and environment are matched once per (environment, type), not per resource.
        let statePolicies = set.policies.indices.filter { set.policies[$0].scope == .state }
        let candidates = kinds.keys.map { key in
            statePolicies.filter { set.policies[$0].match.matches(type: key.type, environment: key.environment) }
        }
        // Resources are independent: slices of them run on every core and are joined in order.
        let slices = stride(from: 0, to: resources.count, by: Self.sliceSize).map {
            $0..<min($0 + Self.sliceSize, resources.count)
        }
        let parts = SliceResults(count: slices.count)
        let live = Self.live(drift)
        DispatchQueue.concurrentPerform(iterations: slices.count) { n in
            parts.store(n, stateResults(resources[slices[n]], kindOf: kinds.ofResource, candidates: candidates,
                                        live: live))
        }
        var results = parts.joined()
        if let changes {
            let desired = Dictionary(resources.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            var owners: [ResourceKey: ManagedBy] = [:]
            for resource in drift?.resources ?? [] { owners[resource.key] = resource.managedBy }
            let changePolicies = set.policies.filter { $0.scope == .change }
            for change in changes {
                let key = change.key
                results += changePolicies.compactMap {
                    result(of: $0, on: change, desired: desired[key], managedBy: owners[key])
                }
            }
        }
        results.append(contentsOf: expiredWaivers())
        return results
    }

    static let sliceSize = 500

    /// What state policies see of a run's reads, by resource: `live.lastRotated` (null when it never
    /// rotated), `live.rotationDue` and `live.rotationOverdue` where a rotation was judged.
    static func live(_ drift: DriftReport?) -> [ResourceKey: [String: Value]] {
        var live: [ResourceKey: [String: Value]] = [:]
        for resource in drift?.resources ?? [] {
            guard let rotation = resource.rotation else { continue }
            let json = rotation.json
            live[resource.key] = ["lastRotated": json["last"] ?? .null, "rotationDue": json["due"] ?? .null,
                                  "rotationOverdue": .bool(rotation.overdue)]
        }
        return live
    }

    /// State policies over one slice of the resources; `kindOf` and `candidates` are indexed like the whole list.
    func stateResults(_ resources: ArraySlice<DesiredResource>, kindOf: [Int], candidates: [[Int]],
                      live: [ResourceKey: [String: Value]] = [:]) -> [PolicyResult] {
        var results: [PolicyResult] = []
        // Through a buffer pointer each policy is borrowed, not copied, at every evaluation.
        set.policies.withUnsafeBufferPointer { policies in
            for index in resources.indices {
                let id = resources[index].identity.description
                let matching = candidates[kindOf[index]].filter { policies[$0].match.matches(id: id) }
                guard !matching.isEmpty else { continue }
                // Made once, for every policy that matches the resource.
                let subject = PolicySubject(resources[index], id: id, live: live[resources[index].key] ?? [:])
                for policyIndex in matching { results.append(result(of: policies[policyIndex], on: subject)) }
            }
        }
        return results
    }

    /// One state policy on a resource it matches: evaluated, then waived if a waiver applies.
    func result(of policy: Policy, on subject: PolicySubject) -> PolicyResult {
        var result = evaluate(policy, on: subject)
        waive(&result, type: subject.type, id: subject.id)
        return result
    }

    /// One change policy on a change, or nil when the policy's match leaves the change out.
    func result(of policy: Policy, on change: PlannedChange, desired: DesiredResource?,
                managedBy: ManagedBy? = nil) -> PolicyResult? {
        guard policy.match.matches(type: change.key.type, id: change.id, environment: change.key.environment) else {
            return nil
        }
        var result = evaluate(policy, on: change, desired: desired, managedBy: managedBy)
        waive(&result, type: change.key.type, id: change.id)
        return result
    }

    func evaluate(_ policy: Policy, on subject: PolicySubject) -> PolicyResult {
        var result = PolicyResult(policy: policy.id, severity: policy.severity, resource: subject.name,
                                  environment: subject.environment, message: "", result: .pass, source: subject.source)
        for variant in subject.variants {
            let outcome = run(policy, variant.variables)
            guard outcome.result != .pass else { continue }
            result.result = outcome.result
            result.message = outcome.message + (variant.label.map { " (with \($0))" } ?? "")
            return result
        }
        return result
    }

    /// `resource.managedBy` is the other tool that manages it (`{"tool": "terraform", "address", "state"}`,
    /// `{"tool": "cloudformation", "stack", "logicalId"}`) or `{"tool": "none"}`.
    func evaluate(_ policy: Policy, on change: PlannedChange, desired: DesiredResource?,
                  managedBy: ManagedBy? = nil) -> PolicyResult {
        var before: [String: Value] = [:], after: [String: Value] = [:]
        for (path, assignment) in change.set {
            if let from = assignment.from { Self.place(from, at: path, in: &before) }
            Self.place(assignment.to, at: path, in: &after)
        }
        var resource: [CELKey: CELValue] = [.string("type"): .string(change.key.type),
                                            .string("id"): .string(change.id),
                                            .string("region"): .string(change.key.region)]
        if let desired { resource[.string("source")] = .string("\(desired.source.file):\(desired.source.line)") }
        resource[.string("managedBy")] = CELValue(managedBy?.json ?? ["tool": "none"])
        // `change.risk` only when the change has one: `has(change.risk)` asks whether it is destructive.
        var described: [String: Value] = ["call": .string(change.call), "action": .string(change.action.rawValue)]
        if let risk = change.risk { described["risk"] = risk.json }
        if let loadGuard = change.loadGuard { described["guard"] = loadGuard.json }
        let variables: [String: CELValue] = [
            "before": CELValue(.map(before)), "after": CELValue(.map(after)), "change": CELValue(.map(described)),
            "properties": desired.map { Self.propertyVariants($0.properties)[0].properties } ?? .map([:]),
            "environment": .string(change.key.environment), "resource": .map(resource),
        ]
        let outcome = run(policy, variables)
        return PolicyResult(policy: policy.id, severity: policy.severity, resource: "\(change.key.type) \(change.id)",
                            environment: change.key.environment, message: outcome.message, result: outcome.result,
                            source: desired?.source)
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

    func waive(_ result: inout PolicyResult, type: String, id: String) {
        guard result.result == .fail || result.result == .error else { return }
        guard
            let waiver = set.waivers.first(where: {
                $0.policy == result.policy && !$0.isExpired(on: today)
                    && $0.match.matches(type: type, id: id, environment: result.environment)
            })
        else { return }
        result.result = .waived
        result.reason = "\(waiver.reason) (waiver until \(waiver.untilText), \(waiver.source))"
    }

    func expiredWaivers() -> [PolicyResult] {
        set.waivers.filter { $0.isExpired(on: today) }.map { waiver in
            PolicyResult(
                policy: waiver.policy, severity: .warn, resource: waiver.match.id ?? "*",
                environment: waiver.match.environments?.joined(separator: ",") ?? "*",
                message:
                    "the waiver of \(waiver.policy) expired on \(waiver.untilText) and no longer applies: "
                        + "\(waiver.reason)",
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
                    objects = objects.flatMap { object in
                        options.map {
                            (object.0.merging([name: $0.0]) { _, new in new }, object.1 + [$0.1].compactMap { $0 })
                        }
                    }
                }
                return objects.map { (.map($0.0), $0.1.isEmpty ? nil : $0.1.joined(separator: ", ")) }
            }
        }
        for (name, expectation) in properties.sorted(by: { $0.key < $1.key }) {
            let options = expand(expectation, path: name)
            variants = variants.flatMap { variant in
                options.map {
                    (variant.0.merging([name: $0.0]) { _, new in new }, variant.1 + [$0.1].compactMap { $0 })
                }
            }
        }
        return variants.map { ($0.0, $0.1.isEmpty ? nil : $0.1.joined(separator: ", ")) }
    }

    /// A state policy's `properties`: each variant's values as one CEL map.
    static func propertyVariants(_ properties: [String: Expectation]) -> [(properties: CELValue, label: String?)] {
        // Most resources declare exact values only: one variant, converted straight to CEL.
        if !properties.values.contains(where: \.hasRange) { return [(CELValue(exactly: .object(properties)), nil)] }
        return boundVariants(properties).map { (CELValue(.map($0.properties)), $0.label) }
    }

    /// Puts `value` at `/A/B` in a nested map.
    static func place(_ value: Value, at path: String, in map: inout [String: Value]) {
        let parts = PropertyPath.segments(path)
        guard let first = parts.first else { return }
        if parts.count == 1 { map[first] = value; return }
        var inner: [String: Value] = [:]
        if case .map(let existing)? = map[first] { inner = existing }
        place(value, at: PropertyPath.join(parts.dropFirst()), in: &inner)
        map[first] = .map(inner)
    }
}
