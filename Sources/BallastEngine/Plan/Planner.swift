import BallastCore
import Foundation
import BallastDesiredState
import BallastKinds

public enum Planner {
    /// Every MODIFIED resource's writes, in a fixed order: environment, type, id, call.
    public static func plan(_ drift: DriftReport, schemas: KindSchemas) -> Plan {
        var report = drift
        report.command = "plan"
        // A held difference is never written: the changes are made from what is not held.
        let changes = drift.resources.filter { $0.status == .modified && !$0.onlyHeld }
            .flatMap { schemas[type: $0.resource.type]?.changes(for: $0.withoutHeld) ?? [] }
            .sorted { ($0.key, $0.call) < ($1.key, $1.call) }
        return Plan(report: report, changes: changes)
    }

    /// Reads the live values of a loaded desired state and plans: drift, the
    /// changes that fix it, and the policy results on both.
    public static func plan(_ loaded: LoadedState, detector: DriftDetector, now: Date = Date()) async -> Plan {
        let (report, ownership) = await detector.detect(loaded, now: now)
        var plan = plan(report, schemas: loaded.schemas)
        plan.conflicts = ownership.conflicts(plan.changes, report: report)
        plan.policy = PolicyEngine(loaded.policies).check(loaded.state, changes: plan.changes, drift: report)
        return plan
    }
}
