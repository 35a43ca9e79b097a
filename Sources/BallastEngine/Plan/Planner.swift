import BallastCore
import BallastKinds

/// Drift plus the writes that fix it (spec: `ballast plan`).
public struct Plan: Sendable {
    public var report: DriftReport
    public var changes: [PlannedChange]

    /// Resources a settings tool cannot fix: they do not exist.
    public var unfixable: [ResourceDrift] { report.resources.filter { $0.status == .deleted } }

    /// The JSON report with `changes`; a plan file adds `account` and a checksum.
    public var json: Value { report.json(changes: changes.map(\.json)) }
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
    /// against: `fresh` is a plan made now from the same desired state.
    public static func moved(_ planned: [PlannedChange], now fresh: DriftReport) -> [String] {
        let live = Dictionary(fresh.resources.map { ("\($0.resource.type) \($0.displayId)", $0) }, uniquingKeysWith: { a, _ in a })
        var moved: [String] = []
        for change in planned {
            guard let current = live["\(change.type) \(change.id)"], let values = current.live ?? (current.status == .inSync ? [:] : nil) else {
                moved.append("\(change.type) \(change.id): could not be read again")
                continue
            }
            for (path, assignment) in change.set.sorted(by: { $0.key < $1.key }) {
                let now = value(at: path, in: values) ?? (current.status == .inSync ? assignment.to : nil)
                if now != assignment.from {
                    moved.append("\(change.type) \(change.id) \(path): planned from \(assignment.from?.description ?? "(none)"), now \(now?.description ?? "(none)")")
                }
            }
        }
        return moved
    }
}
