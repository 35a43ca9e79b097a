import BallastCore
import BallastDesiredState

/// `--output markdown`: the pull-request comment of a drift or a plan. A first
/// line that says it all, a table per environment, each resource's values in a
/// `<details>` block, policy results (denies first), the marker `ballast comment`
/// finds it by, and a footer with the command that applies it.
/// Every value from AWS or the repository is a code span, escaped prose or escaped HTML.
public struct CommentRenderer {
    var report: DriftReport
    /// Nil for drift.
    var plan: Plan?
    /// The plan's writes by the resource they write.
    private let writes: [ResourceKey: [PlannedChange]]
    /// Environments that declare resources in more than one region: their rows name each one's region.
    private let severalRegions: Set<String>

    public init(report: DriftReport, plan: Plan? = nil) {
        self.report = report
        self.plan = plan
        writes = Dictionary(grouping: plan?.changes ?? [], by: \.key)
        severalRegions = Set(report.environments.filter(\.spansRegions).map(\.name))
    }

    public func render(limit: Int = PlanRendering.commentLimit) -> String {
        layout.render(limit: limit)
    }

    var layout: CommentLayout {
        let environments = report.environments.map(\.name)
        var head = CommentMarker.make(environments.joined(separator: ",")) + "\n"
        head += headline(environments) + "\n"
        var sections = report.environments.map(section)
        if let held = heldSection() { sections.append(held) }
        if let rotations = rotationSection() { sections.append(rotations) }
        if let plan, !plan.conflicts.isEmpty {
            sections.append(CommentLayout.Section(
                heading: "#### ⚠️ Another tool manages these: its next apply undoes the write",
                columns: ["Conflict"],
                rows: plan.conflicts.map { "| " + Markdown.text(Markdown.short($0, limit: 600)) + " |" },
                foldedRow: { "| … \($0) more |" }))
        }
        if let plan, !plan.policy.isEmpty { sections.append(policySection(plan.policy)) }
        return CommentLayout(head: head, sections: sections, footer: footer(environments))
    }

    /// `**prod**: 3 to change, 1 deleted, 1 denied by policy · **staging**: no changes · `abc1234``.
    func headline(_ environments: [String]) -> String {
        let parts = report.environments.map { environment in
            "**\(Markdown.text(environment.name))**: " + counts(environment)
        }
        return (parts.isEmpty ? ["no environments"] : parts).joined(separator: " · ")
            + " · " + Markdown.code(String(report.revision.prefix(7)))
    }

    func counts(_ environment: EnvironmentDrift) -> String {
        let resources = environment.resources
        let count = { (status: DriftStatus) in resources.filter { $0.status == status }.count }
        var parts: [String] = []
        if let plan {
            let changing = Set(plan.changes.filter { $0.key.environment == environment.name }.map(\.key))
            parts.append(changing.isEmpty ? "" : "\(changing.count) to change")
            parts.append(count(.deleted) > 0 ? "\(count(.deleted)) missing" : "")
            parts.append(count(.notChecked) > 0 ? "\(count(.notChecked)) not checked" : "")
            let own = plan.policy.filter { $0.environment == environment.name }
            let denied = own.filter(\.blocks).count, warned = own.filter(\.warns).count
            parts.append(denied > 0 ? "\(denied) denied by policy" : "")
            parts.append(warned > 0 ? "\(warned) policy warning\(warned == 1 ? "" : "s")" : "")
            parts.append(Self.rotations(environment))
            let said = parts.filter { !$0.isEmpty }
            return said.isEmpty ? "no changes" : said.joined(separator: ", ")
        }
        let held = resources.filter(\.onlyHeld).count
        parts = [count(.modified) - held > 0 ? "\(count(.modified) - held) drifted" : "",
                 count(.deleted) > 0 ? "\(count(.deleted)) deleted" : "",
                 count(.notChecked) > 0 ? "\(count(.notChecked)) not checked" : "",
                 held > 0 ? "\(held) held" : "", Self.rotations(environment)]
        let said = parts.filter { !$0.isEmpty }
        return said.isEmpty ? "\(resources.count) in sync" : said.joined(separator: ", ")
    }

    /// `1 rotation overdue`: configured rotations that did not happen, or failed; empty when none.
    static func rotations(_ environment: EnvironmentDrift) -> String {
        let found = environment.resources.filter { $0.rotation?.isFinding == true }.count
        return found > 0 ? "\(found) rotation\(found == 1 ? "" : "s") overdue or failed" : ""
    }

    /// Rotations that are configured but did not happen (or whose last attempt failed), in sync or not.
    func rotationSection() -> CommentLayout.Section? {
        let rows = report.resources.compactMap { drift -> String? in
            guard let rotation = drift.rotation, rotation.isFinding else { return nil }
            let last = rotation.last.map { Markdown.code(Timestamp.iso8601($0)) } ?? "never"
            let due = rotation.due.map { Markdown.code(Timestamp.iso8601($0)) } ?? "unknown"
            let failed = rotation.lastError.map { Markdown.text(Markdown.short($0, limit: 300)) } ?? ""
            return "| \(Markdown.code(drift.resource.type)) \(Markdown.code(drift.displayId))\(regionNote(drift)) | "
                + "\(last) | \(due) | \(rotation.overdue ? "overdue" : "") | \(failed) |"
        }
        guard !rows.isEmpty else { return nil }
        return CommentLayout.Section(
            heading: "#### 🔑 Rotation: configured, but it did not happen",
            columns: ["Resource", "Last rotated", "Due", "", "Last attempt"], rows: rows,
            foldedRow: { "| … \($0) more | | | | |" })
    }

    /// Held differences in a section of their own: known hand changes, kept for now, never written.
    func heldSection() -> CommentLayout.Section? {
        let rows = report.resources.flatMap { drift in
            drift.differences.compactMap { difference -> String? in
                guard let hold = difference.held else { return nil }
                return "| \(Markdown.code(drift.resource.type)) \(Markdown.code(drift.displayId))"
                    + "\(regionNote(drift)) | "
                    + "\(Markdown.code(DriftRendering.readablePath(difference.path))) | "
                    + "\(Markdown.code(Markdown.short(difference.actual?.description ?? "(none)"))) → "
                    + "\(Markdown.code(Markdown.short(DriftRendering.expected(difference)))) | "
                    + "\(Markdown.text(Markdown.short(hold.summary, limit: 300))) (\(Markdown.code(hold.id))) |"
            }
        }
        guard !rows.isEmpty else { return nil }
        return CommentLayout.Section(
            heading: "#### ✋ Held: hand changes kept for now, not written (`ballast hold`)",
            columns: ["Resource", "Property", "Live → desired", "Hold"], rows: rows,
            foldedRow: { "| … \($0) more | | | |" })
    }

    func section(_ environment: EnvironmentDrift) -> CommentLayout.Section {
        // A resource whose every difference is held is in the held section, not among the drifted.
        let shown = environment.resources.filter { $0.status != .inSync && !$0.onlyHeld }
        let inSync = environment.resources.count - shown.count
        var heading = "### \(Markdown.text(environment.name)) · \(Markdown.code(environment.region))"
        if inSync > 0 { heading += "\n\n\(inSync) resource\(inSync == 1 ? "" : "s") in sync." }
        // One reason for several resources (no credentials, an account guard) is said once, above them.
        let shared = Self.sharedReasons(shown)
        for reason in shared.keys.sorted() {
            heading +=
                "\n\n⚠️ \(shared[reason]!) resources not checked: "
                    + Markdown.code(Markdown.short(reason, limit: 600))
        }
        let columns = plan == nil ? ["", "Resource", "Drifted properties", "Declared at"]
                                  : ["", "Resource", "Change", "Call"]
        return CommentLayout.Section(
            heading: heading, columns: columns, rows: shown.map { row($0, shared: Set(shared.keys)) },
            details: shown.filter {
                $0.status != .deleted && !($0.status == .notChecked && shared[$0.reason ?? ""] != nil)
            }
            .map(details),
            foldedRow: { "| … | \($0) more resources | | |" })
    }

    /// Reasons that several not-checked resources share, with how many.
    static func sharedReasons(_ drifts: [ResourceDrift]) -> [String: Int] {
        let counts = Dictionary(
            drifts.filter { $0.status == .notChecked }.map { ($0.reason ?? "", 1) }, uniquingKeysWith: +)
        return counts.filter { $0.value > 1 }
    }

    /// ` · `eu-west-1`` where the resource's environment has more than one region, else nothing.
    func regionNote(_ drift: ResourceDrift) -> String {
        severalRegions.contains(drift.resource.environment) ? " · " + Markdown.code(drift.resource.region) : ""
    }

    func row(_ drift: ResourceDrift, shared: Set<String> = []) -> String {
        let resource = "\(Markdown.code(drift.resource.type)) \(Markdown.code(drift.displayId))\(regionNote(drift))"
        let changes = changes(for: drift)
        let what: String
        switch drift.status {
        case .deleted: what = "does not exist" + (plan == nil ? "" : " (ballast does not create resources)")
        case .notChecked where shared.contains(drift.reason ?? ""): what = "not checked (the reason above)"
        case .notChecked: what = "not checked: " + Markdown.code(Markdown.short(drift.reason ?? "", limit: 120))
        default:
            let properties = settings(drift, changes: changes)
            let more = properties.count > 3 ? ["+\(properties.count - 3) more"] : []
            what = (properties.prefix(3).map { path, from, to in
                "\(Markdown.code(path)) \(Markdown.code(Markdown.short(from))) → "
                    + Markdown.code(Markdown.short(to))
            } + more).joined(separator: "<br>")
        }
        let last = plan == nil ? Markdown.code(drift.resource.source.description)
                               : Set(changes.map(\.call)).sorted().map(Markdown.code).joined(separator: " ")
        // A write that deletes data or turns a protection off is marked where the reviewer reads the row.
        let risky = changes.contains { $0.risk != nil }, guarded = changes.contains { $0.loadGuard != nil }
        let marks = (risky ? " ❗ destructive" : "") + (guarded ? " ⚠️ load" : "")
        return "| \(mark(drift.status))\(marks) | \(resource) | \(what) | \(last) |"
    }

    /// (property, live, wanted): a plan shows the values its writes set (a range's nearest bound),
    /// drift what is declared.
    func settings(_ drift: ResourceDrift, changes: [PlannedChange]) -> [(String, String, String)] {
        guard changes.isEmpty else {
            return changes.flatMap { change in
                change.set.sorted { $0.key < $1.key }.filter { $0.value.from != $0.value.to }.map {
                    (DriftRendering.readablePath($0.key), $0.value.from?.description ?? "(none)",
                     $0.value.to.description)
                }
            }
        }
        return drift.differences.filter { $0.held == nil }.map {
            (DriftRendering.readablePath($0.path), $0.actual?.description ?? "(none)", DriftRendering.expected($0))
        }
    }

    func mark(_ status: DriftStatus) -> String {
        switch status {
        case .modified: return plan == nil ? "~" : "update"
        case .deleted: return plan == nil ? "🗑 deleted" : "🗑 missing"
        case .notChecked: return "⚠️ not checked"
        case .inSync: return "✓"
        }
    }

    func changes(for drift: ResourceDrift) -> [PlannedChange] {
        writes[drift.key] ?? []
    }

    /// A resource's every difference whole (up to 1,000 characters a value), where it is declared, and its calls.
    func details(_ drift: ResourceDrift) -> String {
        var out = "<details><summary><code>\(Markdown.html(drift.resource.type))</code> "
            + "<code>\(Markdown.html(Markdown.short(drift.displayId, limit: 200)))</code>"
            + (severalRegions.contains(drift.resource.environment)
                ? " <code>\(Markdown.html(drift.resource.region))</code>" : "") + "</summary>\n\n"
        if !drift.differences.isEmpty {
            out += "| Property | Live | Desired | Difference |\n|---|---|---|---|\n"
            for difference in drift.differences {
                out += "| \(Markdown.code(DriftRendering.readablePath(difference.path))) | "
                    + "\(Markdown.code(Markdown.short(difference.actual?.description ?? "(none)", limit: 1_000))) | "
                    + "\(Markdown.code(Markdown.short(DriftRendering.expected(difference), limit: 1_000))) | "
                    + "\(difference.type.rawValue)\(difference.held == nil ? "" : " (held)") |\n"
            }
            out += "\n"
        }
        if let reason = drift.reason {
            out += "Not checked: \(Markdown.code(Markdown.short(reason, limit: 1_000)))\n\n"
        }
        if let attribution = drift.attribution {
            out += "Who and since when: \(Markdown.text(Markdown.short(attribution.summary, limit: 1_000)))\n\n"
        }
        for risk in changes(for: drift).compactMap(\.risk) {
            out += "**Destructive**: \(Markdown.text(Markdown.short(risk.reason, limit: 1_000)))\n\n"
        }
        for loadGuard in changes(for: drift).compactMap(\.loadGuard) {
            out += "**Load**: \(Markdown.text(loadGuard.said))\n\n"
        }
        out += "Declared at \(Markdown.code(drift.resource.source.description))"
        if let owner = drift.managedBy { out += "; managed by \(Markdown.code(owner.description))" }
        for change in changes(for: drift) {
            out += "; \(Markdown.code(change.call)) sets "
                + change.set.keys.sorted().map { Markdown.code(DriftRendering.readablePath($0)) }
                    .joined(separator: ", ")
        }
        return out + ".\n\n</details>"
    }

    /// Denies first, then warnings, then waivers; passes are counted in the heading.
    func policySection(_ results: [PolicyResult]) -> CommentLayout.Section {
        let order: (PolicyResult) -> Int = { $0.blocks ? 0 : $0.warns ? 1 : 2 }
        let shown = results.filter { $0.result != .pass }.enumerated()
            .sorted { (order($0.element), $0.offset) < (order($1.element), $1.offset) }.map(\.element)
        let rows = shown.map { result in
            let mark = result.blocks ? "⛔ deny" : result.result == .waived ? "waived" : "⚠️ warn"
            let message = result.message + (result.reason.map { " — waived: \($0)" } ?? "")
            return "| \(mark) | \(Markdown.code(result.policy)) | \(Markdown.code(result.resource)) "
                + "(\(Markdown.code(result.environment))) | \(Markdown.text(Markdown.short(message, limit: 500))) |"
        }
        return CommentLayout.Section(
            heading: "#### Policies: \(PolicyRendering.summary(results))",
            columns: ["", "Policy", "Resource", "Message"],
            rows: rows, foldedRow: { "| … | \($0) more results | | |" })
    }

    func footer(_ environments: [String]) -> String {
        let scope = environments.map { " --env " + $0 }.joined()
        let next: String
        if let plan {
            if plan.denied {
                next = "**Blocked**: a deny policy fails; `apply` writes nothing until it passes or is waived."
            } else if plan.changes.isEmpty {
                next = "Nothing to apply."
            } else {
                next = "Apply after merge: " + Markdown.code("ballast apply" + scope)
            }
        } else {
            next =
                report.summary.hasDrift ? "See the fix: " + Markdown.code("ballast plan" + scope) : "Nothing to fix."
        }
        return "---\n" + next + "\n\n<sub>ballast \(BallastVersion.current) · \(report.command) of "
            + "\(Markdown.code(report.revision)) · read \(Timestamp.iso8601(report.generatedAt))</sub>\n"
    }
}
