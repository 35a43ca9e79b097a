/// Drift plus the writes that fix it (spec: `ballast plan`).
public struct Plan: Sendable {
    public var report: DriftReport
    public var changes: [PlannedChange]
    /// State policies on the desired state and change policies on `changes`.
    public var policy: [PolicyResult] = []
    /// Writes another tool (Terraform, CloudFormation) would undo, and where to make them instead.
    public var conflicts: [String] = []

    public init(report: DriftReport, changes: [PlannedChange], policy: [PolicyResult] = [], conflicts: [String] = []) {
        self.report = report
        self.changes = changes
        self.policy = policy
        self.conflicts = conflicts
    }

    /// A deny policy failed: plan exits 3, apply writes nothing.
    public var denied: Bool { policy.contains(where: \.blocks) }

    /// Spec exit codes for a plan: 1 anything not checked, 3 a deny fails, 2 changes or unfixable resources, 0.
    public var exitCode: Int32 {
        if report.summary.notChecked > 0 { return 1 }
        if denied { return 3 }
        return changes.isEmpty && unfixable.isEmpty ? 0 : 2
    }

    /// Resources a settings tool cannot fix: they do not exist.
    public var unfixable: [ResourceDrift] { report.resources.filter { $0.status == .deleted } }

    /// The JSON report with `changes`; a plan file adds `account` and a checksum.
    public var json: Value {
        guard case .map(var fields) = report.json(changes: changes.map(\.json), policy: policy.map(\.json)) else {
            return .null
        }
        if !conflicts.isEmpty { fields["conflicts"] = .list(conflicts.map(Value.string)) }
        let held = report.resources.flatMap { drift in
            drift.differences.compactMap { difference -> Value? in
                guard let hold = difference.held else { return nil }
                return ["type": .string(drift.resource.type), "id": .string(drift.displayId),
                        "region": .string(drift.resource.region), "environment": .string(drift.resource.environment),
                        "path": .string(difference.path), "hold": hold.json]
            }
        }
        if !held.isEmpty { fields["held"] = .list(held) }
        return .map(fields)
    }
}
