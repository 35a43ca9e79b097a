import BallastCore
import BallastDesiredState

/// A plan: the drift report, then one entry per API write and the resources
/// no write can fix.
public enum PlanRendering {
    /// `policies` describe the SARIF rules (their descriptions); results alone name them.
    public static func render(
        _ plan: Plan, as format: ReportFormat, colour: Bool = false, policies: [Policy] = []
    ) -> String {
        switch format {
        case .sarif:
            let declared = Dictionary(plan.report.resources.map { ($0.key, $0.resource.source) },
                                      uniquingKeysWith: { first, _ in first })
            let destructive = plan.changes.filter { $0.risk != nil }.map { ($0, declared[$0.key]) }
            return SARIFRendering.render(policy: plan.policy, policies: policies, destructive: destructive)
        case .json: return JSON.encode(plan.json, pretty: true) + "\n"
        case .cfn: return DriftRendering.render(plan.report, as: .cfn)
        case .text:
            return DriftRendering.render(plan.report, as: .text, colour: colour) + "\n" + text(plan)
                + PolicyRendering.text(plan.policy)
        case .markdown: return comment(plan)
        }
    }

    /// GitHub refuses comments and issue bodies over 65,536 characters; the margin is for the folding note.
    public static let commentLimit = 65_000

    /// The pull-request comment, folded to `limit` bytes (GitHub's limit, less a margin, by default).
    public static func comment(_ plan: Plan, limit: Int = commentLimit) -> String {
        CommentRenderer(report: plan.report, plan: plan).render(limit: limit)
    }

    static func text(_ plan: Plan) -> String {
        let summary = plan.report.summary
        let unread = summary.notChecked
        var lines: [String]
        if unread > 0 && unread == summary.resources {
            // Never "No changes" for a run that read nothing: nothing is known about live.
            lines = [
                "Nothing could be read (\(unread) resource\(unread == 1 ? "" : "s") not checked, the reason above): "
                    + "no plan can be made"
            ]
        } else if plan.changes.isEmpty {
            lines = [
                unread > 0
                    ? "No changes for what was read; \(unread) resource\(unread == 1 ? "" : "s") could not "
                        + "be read (above), so the plan is incomplete." : "No changes."
            ]
        } else {
            lines = ["Plan: \(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s")"
                + (unread > 0 ? " (incomplete: \(unread) resource\(unread == 1 ? "" : "s") could not be read)" : "")]
        }
        for change in plan.changes {
            lines.append(
                "  \(change.call) \(UntrustedText.line(change.id))  "
                    + "(\(UntrustedText.line(change.key.environment)), \(UntrustedText.line(change.key.region)))")
            for (path, assignment) in change.set.sorted(by: { $0.key < $1.key })
            where assignment.from != assignment.to {
                lines.append(
                    "      \(DriftRendering.readablePath(path)): \(assignment.from?.description ?? "(none)") -> "
                        + "\(assignment.to)"
                )
            }
            if let risk = change.risk {
                lines.append("      ! \(risk.level.rawValue): \(UntrustedText.line(risk.reason))")
            }
            if let loadGuard = change.loadGuard {
                lines.append("      ! guard: \(UntrustedText.line(loadGuard.said))")
            }
        }
        let held = plan.report.resources.flatMap { drift in
            drift.differences.compactMap { difference in difference.held.map { (drift, difference, $0) } }
        }
        if !held.isEmpty {
            lines.append("")
            lines.append("Held (not written):")
            for (drift, difference, hold) in held {
                lines.append("  \(drift.resource.type) \(UntrustedText.line(drift.displayId)) "
                    + "\(DriftRendering.readablePath(difference.path)): \(DriftRendering.change(difference))  "
                    + "(\(UntrustedText.line(hold.summary)), \(UntrustedText.line(hold.id)))")
            }
        }
        if !plan.conflicts.isEmpty {
            lines.append("")
            lines.append("Another tool manages these (its next apply undoes the write):")
            for conflict in plan.conflicts { lines.append("  ! " + UntrustedText.line(conflict)) }
        }
        if !plan.unfixable.isEmpty {
            lines.append("")
            lines.append("Cannot fix (ballast changes settings; it does not create resources):")
            for drift in plan.unfixable {
                lines.append("  \(drift.resource.type) \(UntrustedText.line(drift.displayId)) does not exist  "
                    + "(\(UntrustedText.line(drift.resource.source.description)))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
