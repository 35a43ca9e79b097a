import BallastCore

/// Policy results as text (a section per severity) and as a markdown table.
public enum PolicyRendering {
    public static func text(_ results: [PolicyResult]) -> String {
        guard !results.isEmpty else { return "" }
        var lines: [String] = []
        let sections: [(String, (PolicyResult) -> Bool)] = [
            ("Denied (blocks apply):", { $0.blocks }),
            ("Warnings:", { $0.severity == .warn && ($0.result == .fail || $0.result == .error) }),
            ("Waived:", { $0.result == .waived }),
        ]
        for (title, belongs) in sections {
            let members = results.filter(belongs)
            guard !members.isEmpty else { continue }
            lines.append(title)
            for result in members {
                let at = result.source.map { "  (\(UntrustedText.line($0.description)))" } ?? ""
                lines.append("  \(UntrustedText.line(result.policy))  \(UntrustedText.line(result.resource))  "
                    + "[\(UntrustedText.line(result.environment))]\(at)")
                lines.append("      " + UntrustedText.line(result.message + (result.reason.map { "; waived: \($0)" } ?? "")))
            }
        }
        lines.append("Policies: " + summary(results) + ".")
        return "\n" + lines.joined(separator: "\n") + "\n"
    }

    public static func markdown(_ results: [PolicyResult]) -> String {
        let shown = results.filter { $0.result != .pass }
        guard !results.isEmpty else { return "" }
        var out = "\n#### Policies: \(summary(results))\n"
        guard !shown.isEmpty else { return out }
        out += "\n| | Policy | Resource | Message |\n|---|---|---|---|\n"
        for result in shown {
            let mark = result.blocks ? "⛔ deny" : result.result == .waived ? "waived" : "⚠️ warn"
            let message = result.message + (result.reason.map { " — waived: \($0)" } ?? "")
            out += "| \(mark) | \(Markdown.code(result.policy)) | \(Markdown.code(result.resource)) "
                + "(\(Markdown.code(result.environment))) | \(Markdown.text(message)) |\n"
        }
        return out
    }

    static func summary(_ results: [PolicyResult]) -> String {
        let denied = results.filter(\.blocks).count
        let warned = results.filter { $0.severity == .warn && ($0.result == .fail || $0.result == .error) }.count
        let waived = results.filter { $0.result == .waived }.count
        let passed = results.filter { $0.result == .pass }.count
        return "\(denied) denied, \(warned) warning\(warned == 1 ? "" : "s"), \(waived) waived, \(passed) passed"
    }
}
