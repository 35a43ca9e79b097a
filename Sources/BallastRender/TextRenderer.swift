import BallastCore

/// Terraform-like text: resources that are not in sync, grouped by environment,
/// one line per property as `live -> desired`, and a summary line.
struct TextRenderer {
    let colour: Bool

    func render(_ report: DriftReport) -> String {
        var lines = [
            "ballast \(report.command) at \(report.revision), \(Timestamp.iso8601(report.generatedAt)); values "
                + "read live -> desired",
            "",
        ]
        for environment in report.environments {
            let summary = DriftSummary(environment.resources)
            // A resource in sync whose hold just ended is named once, with the hold.
            // So is one whose rotation is overdue or failed.
            let notInSync = environment.resources.filter {
                $0.status != .inSync || $0.holdEnded != nil || $0.rotation?.isFinding == true
            }
            lines.append(
                paint(safe(environment.name), "1")
                    + " (\(safe(environment.region))): \(summary.inSync) of \(summary.resources) in sync")
            // One reason for everything (an account guard, no credentials): say it once.
            let reasons = Set(notInSync.compactMap(\.reason))
            if notInSync.count > 1, notInSync.count == environment.resources.count,
                notInSync.allSatisfy({ $0.status == .notChecked }),
                reasons.count == 1 {
                lines.append(
                    "  \(marker(.notChecked)) none of the \(notInSync.count) resources checked: "
                        + "\(safe(reasons.first!))"
                )
                lines.append("")
                continue
            }
            // A reason several resources share is said once, above them.
            let shared = Dictionary(notInSync.filter { $0.status == .notChecked }.map { ($0.reason ?? "", 1) },
                                    uniquingKeysWith: +).filter { $0.value > 1 }
            for reason in shared.keys.sorted() {
                lines.append("  \(marker(.notChecked)) \(shared[reason]!) resources not checked: \(safe(reason))")
            }
            let regions = environment.spansRegions
            for drift in notInSync {
                let region = regions ? " [" + safe(drift.resource.region) + "]" : ""
                lines.append("  \(marker(drift.status)) \(safe(drift.resource.type)) \(safe(drift.displayId))\(region)"
                    + "\(refNote(drift))  "
                    + "(\(safe(drift.resource.source.description)))")
                switch drift.status {
                case .deleted: lines.append("      does not exist")
                case .notChecked where shared[drift.reason ?? ""] != nil:
                    lines.append("      not checked (the reason above)")
                case .notChecked: lines.append("      not checked: \(safe(drift.reason ?? "unknown reason"))")
                default:
                    for difference in drift.differences {
                        let held = difference.held.map { "  (" + safe($0.summary) + ")" } ?? ""
                        lines.append("      \(DriftRendering.readablePath(difference.path)): "
                            + "\(DriftRendering.change(difference))\(held)")
                    }
                }
                if let attribution = drift.attribution { lines.append("      " + safe(attribution.summary)) }
                if let ended = drift.holdEnded {
                    lines.append("      hold \(safe(ended.id)) ended (\(safe(ended.summary)))")
                }
                if let rotation = drift.rotation, rotation.isFinding {
                    lines.append("      " + paint("! " + safe(rotation.said), "31"))
                }
            }
            lines.append("")
        }
        lines.append(DriftRendering.summaryLine(report.summary))
        return lines.joined(separator: "\n") + "\n"
    }

    func marker(_ status: DriftStatus) -> String {
        switch status {
        case .modified: return paint("~", "33")
        case .deleted: return paint("-", "31")
        case .notChecked: return paint("?", "35")
        case .inSync: return " "
        }
    }

    /// `[stack/LogicalId]` for a ref; `[terraform aws_cloudwatch_log_group.app]` for a Terraform-managed id.
    func refNote(_ drift: ResourceDrift) -> String {
        guard drift.physicalId != nil else { return "" }
        switch drift.resource.identity {
        case .id: return drift.managedBy.map { " [\(safe($0.description))]" } ?? ""
        case .ref(let stack, let logicalId): return " [\(safe(stack))/\(safe(logicalId))]"
        case .output(let stack, let key): return " [\(safe(stack)) output \(safe(key))]"
        }
    }

    /// Names and reasons come from the repository and AWS: one escaped line each.
    func safe(_ text: String) -> String { UntrustedText.line(text) }

    func paint(_ text: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
