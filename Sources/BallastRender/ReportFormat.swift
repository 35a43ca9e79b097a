import BallastCore

/// `--output`: how a report is written.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, markdown, cfn
    /// SARIF 2.1.0 for code scanning: drift at the declaring line; for a plan, the policy results.
    case sarif
}

public enum DriftRendering {
    /// The report in one format. `colour` applies to text only.
    public static func render(_ report: DriftReport, as format: ReportFormat, colour: Bool = false) -> String {
        switch format {
        case .text: return TextRenderer(colour: colour).render(report)
        case .json: return JSON.encode(report.json(), pretty: true) + "\n"
        case .markdown: return CommentRenderer(report: report).render()
        case .cfn: return CloudFormationRenderer().render(report)
        case .sarif: return SARIFRendering.render(drift: report)
        }
    }

    /// `/LifecycleConfiguration/Rules/0/ExpirationInDays` -> `LifecycleConfiguration.Rules[0].ExpirationInDays`.
    /// A map key in a path may come from AWS (an alarm's dimension name): escaped.
    static func readablePath(_ path: String) -> String {
        UntrustedText.line(PropertyPath.readable(path))
    }

    /// `7 -> 30`: live, then what the repository wants (the change apply would make).
    static func change(_ difference: PropertyDifference) -> String {
        "\(difference.actual?.description ?? "(none)") -> \(expected(difference))"
    }

    static func expected(_ difference: PropertyDifference) -> String {
        guard let expected = difference.expected else { return "(none)" }
        if expected == .null { return "(unset)" }
        if case .map(let range) = expected, let bound = range.first,
            ["within", "atLeast", "atMost"].contains(bound.key) {
            switch bound.key {
            case "within": return "within \(bound.value)"
            case "atLeast": return "at least \(bound.value)"
            default: return "at most \(bound.value)"
            }
        }
        return expected.description
    }

    static func summaryLine(_ summary: DriftSummary) -> String {
        if !summary.hasDrift && summary.notChecked == 0 { return "No drift: \(counts(summary))." }
        return "Drift: \(counts(summary))."
    }

    /// `3 modified, 1 deleted, 0 not checked, 14 in sync (18 resources)`; all in sync is just the count.
    /// Held drift is counted apart: `1 held (a hand change kept for now)`.
    public static func counts(_ summary: DriftSummary) -> String {
        let resources = "\(summary.resources) resource\(summary.resources == 1 ? "" : "s")"
        let held = summary.held > 0 ? ", \(summary.held) held" : ""
        if !summary.hasDrift && summary.notChecked == 0 {
            return summary.held > 0 ? "\(summary.inSync) in sync\(held) (\(resources))" : "\(resources) in sync"
        }
        return "\(summary.modified - summary.held) modified, \(summary.deleted) deleted, \(summary.notChecked) not "
            + "checked, \(summary.inSync) in sync\(held) (\(resources))"
    }
}
