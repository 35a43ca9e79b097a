import BallastCore

/// A pull-request comment: a headline with the counts, then one table row per
/// differing property, deleted or unchecked resource.
struct MarkdownRenderer {
    func render(_ report: DriftReport) -> String {
        let summary = report.summary
        let headline = summary.hasDrift || summary.notChecked > 0 ? DriftRendering.counts(summary) : "no drift, " + DriftRendering.counts(summary)
        var out = "### ballast \(report.command): \(headline)\n\n"
        out += "Revision \(Markdown.code(report.revision)) · read \(Timestamp.iso8601(report.generatedAt))\n"
        let rows = report.environments.flatMap { environment in
            environment.resources.filter { $0.status != .inSync }.flatMap { rowsFor($0, environment: environment.name) }
        }
        guard !rows.isEmpty else { return out }
        out += "\n| | Resource | Environment | Property | Live | Desired | Source |\n|---|---|---|---|---|---|---|\n"
        out += rows.joined(separator: "\n") + "\n"
        return out
    }

    func rowsFor(_ drift: ResourceDrift, environment: String) -> [String] {
        // Every value here may come from AWS or the repository: code spans or escaped prose only.
        let resource = "\(Markdown.code(drift.resource.type)) \(Markdown.code(drift.displayId))"
        let source = Markdown.code("\(drift.resource.source.file):\(drift.resource.source.line)")
        let environment = Markdown.code(environment)
        switch drift.status {
        case .deleted:
            return [row(["🗑", resource, environment, "", "does not exist", "", source])]
        case .notChecked:
            return [row(["⚠️", resource, environment, "", "not checked: " + Markdown.code(drift.reason ?? ""), "", source])]
        default:
            return drift.differences.map { difference in
                row(["~", resource, environment, Markdown.code(DriftRendering.readablePath(difference.path)),
                     Markdown.code(difference.actual?.description ?? "(none)"), Markdown.code(DriftRendering.expected(difference)),
                     source])
            }
        }
    }

    /// Cells are already escaped (`Markdown.code` or `.text`), pipes included.
    func row(_ cells: [String]) -> String {
        "| " + cells.joined(separator: " | ") + " |"
    }
}
