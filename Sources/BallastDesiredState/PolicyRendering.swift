import BallastCore

/// Policy results as text (a section per severity); the comment has its own table.
public enum PolicyRendering {
    public static func text(_ results: [PolicyResult]) -> String {
        guard !results.isEmpty else { return "" }
        var lines: [String] = []
        let sections: [(String, (PolicyResult) -> Bool)] = [
            ("Denied (blocks apply):", { $0.blocks }),
            ("Warnings:", { $0.warns }),
            ("Waived:", { $0.result == .waived }),
        ]
        for (title, belongs) in sections {
            let members = results.filter(belongs)
            guard !members.isEmpty else { continue }
            lines.append(title)
            for result in members {
                let at = result.source.map { "  (\(UntrustedText.line($0.description)))" } ?? ""
                lines.append(
                    "  \(UntrustedText.line(result.policy))  \(UntrustedText.line(result.resource))  "
                        + "[\(UntrustedText.line(result.environment))]\(at)")
                lines.append(
                    "      " + UntrustedText.line(result.message + (result.reason.map { "; waived: \($0)" } ?? "")))
            }
        }
        lines.append("Policies: " + summary(results) + ".")
        return "\n" + lines.joined(separator: "\n") + "\n"
    }

    public static func summary(_ results: [PolicyResult]) -> String {
        let denied = results.filter(\.blocks).count
        let warned = results.filter(\.warns).count
        let waived = results.filter { $0.result == .waived }.count
        let passed = results.filter { $0.result == .pass }.count
        return "\(denied) denied, \(warned) warning\(warned == 1 ? "" : "s"), \(waived) waived, \(passed) passed"
    }
}
