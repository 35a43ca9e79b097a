import BallastCore

/// Checks a saved plan against a fresh read of the desired state at its revision.
/// A saved change must be exactly what the desired state asks for, given the live
/// values the plan recorded (`from`): same resource, environment, region, call,
/// paths and `to` values. Anything else was not made by ballast from that state
/// (`forged`). When it is what the state asks for but live values have moved
/// since, the plan is `stale`.
public struct SavedPlanCheck: Sendable, Equatable {
    public var forged: [String] = []
    public var stale: [String] = []
    /// The saved changes, each with the kind of the resource it is declared as at the plan's revision:
    /// what writes them.
    public var changes: [PlannedChange] = []

    public init(_ saved: [PlannedChange], fresh report: DriftReport) {
        struct Write: Hashable {
            let resource: ResourceKey
            let operation: APIOperation
        }
        var seen = Set<Write>()
        for (index, change) in saved.enumerated() {
            let label = "change \(index + 1) (\(change.call) \(change.id) in \(change.key.environment), "
                + "\(change.key.region))"
            guard seen.insert(Write(resource: change.key, operation: change.operation)).inserted else {
                forged.append("\(label): appears twice")
                continue
            }
            guard let drift = report.resources.first(where: { $0.key == change.key }) else {
                forged.append("\(label): no \(change.key.type) \(change.id) is declared in \(change.key.environment) "
                    + "with region \(change.key.region) at \(report.revision.prefix(12))")
                continue
            }
            var change = change
            change.kind = drift.resource.kind
            changes.append(change)
            check(change, label: label, against: drift, kind: change.kind?.schema,
                  revision: String(report.revision.prefix(12)))
        }
    }

    /// Neither forged nor stale.
    public var holds: Bool { forged.isEmpty && stale.isEmpty }

    mutating func check(_ change: PlannedChange, label: String, against drift: ResourceDrift, kind: KindSchema?,
                        revision: String) {
        guard let kind else {
            forged.append("\(label): ballast cannot write \(change.key.type)")
            return
        }
        guard let live = drift.live else {
            stale.append("\(change.key.type) \(change.id): "
                + (drift.status == .deleted ? "no longer exists" : "could not be read again: \(drift.reason ?? "")"))
            return
        }
        // The plan the desired state makes when live holds the values the saved plan recorded.
        var then = live
        for (path, assignment) in change.set { Self.put(assignment.from, at: path, in: &then) }
        let judged = ResourceDrift.judge(
            drift.resource, physicalId: drift.displayId, read: .found(then), rules: kind.comparison)
        guard let expected = kind.changes(for: judged).first(where: { $0.operation == change.operation }) else {
            forged.append("\(label): the desired state at \(revision) makes no \(change.call) call for it")
            return
        }
        for (path, assignment) in change.set.sorted(by: { $0.key < $1.key }) {
            guard let wanted = expected.set[path] else {
                forged.append("\(label): sets \(path), which the desired state does not change")
                continue
            }
            if wanted.to != assignment.to {
                forged.append(
                    "\(label): sets \(path) to \(assignment.to), but the desired state asks for \(wanted.to)")
            }
        }
        for path in expected.set.keys.sorted() where change.set[path] == nil {
            stale.append("\(change.key.type) \(change.id) \(path): "
                + "now \(value(at: path, in: live)?.description ?? "(none)"), which the plan did not change")
        }
        for (path, assignment) in change.set.sorted(by: { $0.key < $1.key }) {
            let now = value(at: path, in: live)
            if now != assignment.from {
                stale.append("\(change.key.type) \(change.id) \(path): "
                    + "planned from \(assignment.from?.description ?? "(none)"), "
                    + "now \(now?.description ?? "(none)")")
            }
        }
    }

    /// Sets (or removes, for nil) the value at a map path; a path through anything
    /// but maps is left alone, so the comparison then names it.
    static func put(_ value: Value?, at path: String, in properties: inout [String: Value]) {
        let parts = PropertyPath.segments(path)
        guard let first = parts.first else { return }
        guard parts.count > 1 else {
            properties[first] = value
            return
        }
        guard case .map(var inner) = properties[first] ?? .map([:]) else { return }
        put(value, at: PropertyPath.join(parts.dropFirst()), in: &inner)
        properties[first] = .map(inner)
    }
}
