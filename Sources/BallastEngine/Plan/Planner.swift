import BallastCore
import FoundationEssentials
import BallastDesiredState

public enum Planner {
    /// Every MODIFIED resource's writes, in a fixed order: environment, type, id, call.
    public static func plan(_ drift: DriftReport) -> Plan {
        var report = drift
        report.command = "plan"
        // A held difference is never written: the changes are made from what is not held.
        var changes: [PlannedChange] = []
        for resource in drift.resources where resource.status == .modified && !resource.onlyHeld {
            // The loader hands every declared resource its kind; a report from elsewhere (a merged or
            // saved one) may name a type this build has no kind for: said, never dropped in silence.
            guard let kind = resource.resource.kind else {
                report.warnings.append("no kind of this build or the revision's schemas/ writes "
                    + "\(UntrustedText.line(resource.resource.type)): the drift of "
                    + "\(UntrustedText.line(resource.displayId)) is not planned")
                continue
            }
            changes += kind.schema.changes(for: resource.withoutHeld).map { change in
                var change = change
                change.kind = kind
                return change
            }
        }
        changes.sort { ($0.key, $0.call) < ($1.key, $1.call) }
        return Plan(report: report, changes: changes)
    }

    /// Reads the live values of a loaded desired state and plans: drift, the
    /// changes that fix it, the load each capacity cut carries (the last `guardWindow` seconds of its
    /// metric), and the policy results on all of it.
    public static func plan(_ loaded: LoadedState, detector: DriftDetector, now: Date = Date(),
                            guardWindow: TimeInterval = 3_600) async -> Plan {
        let (report, ownership) = await detector.detect(loaded, now: now)
        var plan = plan(report)
        let guarded = await LoadGuards(clients: detector.clients, window: guardWindow)
            .guarded(plan.changes, in: loaded.state, now: now)
        plan.changes = guarded.changes
        plan.report.warnings += guarded.problems
        plan.conflicts = ownership.conflicts(plan.changes, report: report)
        plan.policy = PolicyEngine(loaded.policies).check(loaded.state, changes: plan.changes, drift: report)
        return plan
    }
}
