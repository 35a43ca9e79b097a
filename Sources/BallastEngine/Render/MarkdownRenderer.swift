import BallastCore

/// A pull-request comment: a headline with the counts, then one table row per
/// differing property, deleted or unchecked resource.
struct MarkdownRenderer {
    func render(_ report: DriftReport) -> String {
        let summary = report.summary
        let headline = summary.hasDrift || summary.notChecked > 0 ? DriftRendering.counts(summary) : "no drift, " + DriftRendering.counts(summary)
        var out = "### ballast \(report.command): \(headline)\n\n"
        out += "Revision `\(report.revision)` · read \(Timestamp.iso8601(report.generatedAt))\n"
        let rows = report.environments.flatMap { environment in
            environment.resources.filter { $0.status != .inSync }.flatMap { rowsFor($0, environment: environment.name) }
        }
        guard !rows.isEmpty else { return out }
        out += "\n| | Resource | Environment | Property | Live | Desired | Source |\n|---|---|---|---|---|---|---|\n"
        out += rows.joined(separator: "\n") + "\n"
        return out
    }

    func rowsFor(_ drift: ResourceDrift, environment: String) -> [String] {
        let resource = "`\(drift.resource.type)` `\(drift.displayId)`"
        let source = "`\(drift.resource.source.file):\(drift.resource.source.line)`"
        switch drift.status {
        case .deleted:
            return [row(["🗑", resource, environment, "", "does not exist", "", source])]
        case .notChecked:
            return [row(["⚠️", resource, environment, "", "not checked: \(drift.reason ?? "")", "", source])]
        default:
            return drift.differences.map { difference in
                row(["~", resource, environment, "`\(DriftRendering.readablePath(difference.path))`",
                     "`\(difference.actual?.description ?? "(none)")`", "`\(DriftRendering.expected(difference))`", source])
            }
        }
    }

    func row(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
            .joined(separator: " | ") + " |"
    }
}
