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
        var changes: [PlannedChange] = []
        for resource in drift.resources where resource.status == .modified && !resource.onlyHeld {
            // The loader resolves every declared type to a kind; a report from elsewhere (a merged or
            // saved one) may name a type these kinds do not have: said, never dropped in silence.
            guard let kind = schemas[type: resource.resource.type] else {
                report.warnings.append("no kind of this build or the revision's schemas/ writes "
                    + "\(UntrustedText.line(resource.resource.type)): the drift of "
                    + "\(UntrustedText.line(resource.displayId)) is not planned")
                continue
            }
            changes += kind.changes(for: resource.withoutHeld)
        }
        changes.sort { ($0.key, $0.call) < ($1.key, $1.call) }
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
