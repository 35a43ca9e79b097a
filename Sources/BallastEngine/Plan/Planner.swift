import BallastCore
import BallastKinds

/// Drift plus the writes that fix it (spec: `ballast plan`).
public struct Plan: Sendable {
    public var report: DriftReport
    public var changes: [PlannedChange]
    /// State policies on the desired state and change policies on `changes`.
    public var policy: [PolicyResult] = []

    /// A deny policy failed: plan exits 3, apply writes nothing.
    public var denied: Bool { policy.contains(where: \.blocks) }

    /// Resources a settings tool cannot fix: they do not exist.
    public var unfixable: [ResourceDrift] { report.resources.filter { $0.status == .deleted } }

    /// The JSON report with `changes`; a plan file adds `account` and a checksum.
    public var json: Value { report.json(changes: changes.map(\.json), policy: policy.map(\.json)) }
}

public enum Planner {
    /// Every MODIFIED resource's writes, in a fixed order: environment, type, id, call.
    public static func plan(_ drift: DriftReport) -> Plan {
        var report = drift
        report.command = "plan"
        let changes = drift.resources.filter { $0.status == .modified }
            .flatMap { KindRegistry.kind(for: $0.resource.type)?.changes(for: $0) ?? [] }
            .sorted { ($0.environment, $0.type, $0.id, $0.call) < ($1.environment, $1.type, $1.id, $1.call) }
        return Plan(report: report, changes: changes)
    }

    /// Assignments whose live value is no longer the one the plan was made
    /// against: `fresh` is drift read now from the same desired state.
    public static func moved(_ planned: [PlannedChange], now fresh: DriftReport) -> [String] {
        let live = Dictionary(fresh.resources.map { ("\($0.resource.type) \($0.displayId)", $0.live) }, uniquingKeysWith: { a, _ in a })
        return planned.flatMap { change -> [String] in
            let resource = "\(change.type) \(change.id)"
            guard let values = live[resource] ?? nil else { return ["\(resource): could not be read again"] }
            return change.set.sorted { $0.key < $1.key }.compactMap { path, assignment in
                let now = value(at: path, in: values)
                guard now != assignment.from else { return nil }
                return "\(resource) \(path): planned from \(assignment.from?.description ?? "(none)"), now \(now?.description ?? "(none)")"
            }
        }
    }
}
