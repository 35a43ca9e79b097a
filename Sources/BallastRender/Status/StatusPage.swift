import BallastCore
import BallastCrypto
import FoundationEssentials

/// The status page (spec section 8): environments, each one's resources, and each resource's declaration,
/// differences, planned writes and history, from a drift or plan report. `watch` serves its pages one at a
/// time; `report html` writes them all into one file. Server-rendered HTML with its style and its one small
/// script inline (allowed by their hashes alone), no external asset, every value escaped as untrusted.
public struct StatusPage: Sendable {
    /// What the report does not hold of an environment: its account, and when the watch last read it.
    public struct EnvironmentFacts: Sendable {
        public var account: String?
        public var lastPass: Date?

        public init(account: String? = nil, lastPass: Date? = nil) {
            self.account = account
            self.lastPass = lastPass
        }
    }

    /// Where the page's links lead: the watch's paths, or anchors within one file.
    public enum Mode: Sendable {
        case served
        case file
    }

    public var plan: Plan
    public var facts: [String: EnvironmentFacts]
    public var history: [ResourceKey: [HistoryEntry]]
    public var now: Date
    public var mode: Mode

    public init(plan: Plan, facts: [String: EnvironmentFacts] = [:], history: [ResourceKey: [HistoryEntry]] = [:],
                now: Date, mode: Mode) {
        self.plan = plan
        self.facts = facts
        self.history = history
        self.now = now
        self.mode = mode
    }

    // MARK: The pages

    /// `/`: every environment with its counts.
    public func overview() -> String {
        document(title: "ballast status", body: overviewSection())
    }

    /// `/env/NAME`, filtered by status and type; nil when no environment has that name.
    public func environment(_ name: String, status: String? = nil, type: String? = nil) -> String? {
        guard let environment = plan.report.environments.first(where: { $0.name == name }) else { return nil }
        return document(title: "ballast: \(name)",
                        body: breadcrumbs([]) + environmentSection(environment, status: status, type: type))
    }

    /// `/resource/ENV/TYPE/REGION/ID`; nil when nothing is declared so.
    public func resource(_ key: ResourceKey) -> String? {
        guard let drift = drift(key) else { return nil }
        return document(title: "ballast: \(key.type) \(drift.displayId)",
                        body: breadcrumbs([(key.environment, environmentLink(key.environment))])
                            + resourceSection(drift))
    }

    /// Every page in one file: the overview, then each environment, then each resource (`report html`).
    public func file() -> String {
        var body = overviewSection()
        for environment in plan.report.environments {
            body += environmentSection(environment, status: nil, type: nil)
        }
        for drift in plan.report.resources {
            body += resourceSection(drift)
        }
        return document(title: "ballast status", body: body)
    }

    /// `/api/status.json`: the same data.
    public func json() -> Value {
        .map([
            "generatedAt": .string(Timestamp.iso8601(now)),
            "revision": .string(plan.report.revision),
            "command": .string(plan.report.command),
            "environments": .list(plan.report.environments.map { environment in
                let counts = Counts(environment)
                var fields: [String: Value] = [
                    "name": .string(environment.name), "regions": .list(regions(environment).map(Value.string)),
                    "counts": counts.json,
                    "resources": .list(environment.resources.map(resourceJSON)),
                ]
                let facts = facts[environment.name]
                if let account = facts?.account { fields["account"] = .string(account) }
                fields["lastPass"] = .string(Timestamp.iso8601(facts?.lastPass ?? plan.report.generatedAt))
                return .map(fields)
            }),
        ])
    }

    /// The Content-Security-Policy the served pages carry: nothing loads from anywhere, the inline style and
    /// script run by their hashes alone, forms go only to the page's own address, no frame may hold it.
    public static var contentSecurityPolicy: String {
        "default-src 'none'; style-src \(HTML.hashSource(StatusAssets.style)); "
            + "script-src \(HTML.hashSource(StatusAssets.script)); img-src 'self'; form-action 'self'; "
            + "base-uri 'none'; frame-ancestors 'none'"
    }

    // MARK: Sections

    func overviewSection() -> String {
        var rows = ""
        for environment in plan.report.environments {
            let counts = Counts(environment)
            let facts = facts[environment.name]
            let last = facts?.lastPass ?? plan.report.generatedAt
            rows += "<tr><th scope=\"row\"><a href=\"\(environmentLink(environment.name))\">"
                + "\(HTML.text(environment.name))</a></th>"
                + "<td>\(regions(environment).map(HTML.text).joined(separator: ", "))</td>"
                + "<td>\(HTML.text(facts?.account ?? "not named"))</td>"
                + "<td>\(HTML.time(last)) <span class=\"quiet\">(\(HTML.age(now.timeIntervalSince(last))))</span></td>"
                + "<td class=\"n\">\(counts.inSync)</td><td class=\"n\">\(counts.modified)</td>"
                + "<td class=\"n\">\(counts.deleted)</td><td class=\"n\">\(counts.notChecked)</td>"
                + "<td class=\"n\">\(counts.held)</td><td class=\"n\">\(counts.overdue)</td></tr>\n"
        }
        let summary = DriftRendering.summaryLine(plan.report.summary)
        return "<section id=\"overview\" aria-labelledby=\"overview-title\">"
            + "<h1 id=\"overview-title\">Environments</h1>"
            + "<p>\(HTML.text(summary)) Revision <code>\(HTML.text(String(plan.report.revision.prefix(12))))</code>, "
            + "\(HTML.text(plan.report.command)) at \(HTML.time(plan.report.generatedAt)).</p>"
            + "<div class=\"scroll\"><table><caption>Each environment as last read</caption><thead><tr>"
            + "<th scope=\"col\">environment</th><th scope=\"col\">regions</th><th scope=\"col\">account</th>"
            + "<th scope=\"col\">last read</th><th scope=\"col\">in sync</th><th scope=\"col\">modified</th>"
            + "<th scope=\"col\">deleted</th><th scope=\"col\">not checked</th><th scope=\"col\">held</th>"
            + "<th scope=\"col\">rotation overdue</th></tr></thead><tbody>\n\(rows)</tbody></table></div>"
            + warningsList() + "</section>\n"
    }

    func environmentSection(_ environment: EnvironmentDrift, status: String?, type: String?) -> String {
        let anchor = "env-" + HTML.component(environment.name)
        let types = Array(Set(environment.resources.map(\.resource.type))).sorted()
        let shown = environment.resources.filter { drift in
            (status.map { drift.status.rawValue == $0 } ?? true) && (type.map { drift.resource.type == $0 } ?? true)
        }
        var rows = ""
        for drift in shown {
            rows += "<tr data-status=\"\(drift.status.rawValue)\" data-type=\"\(HTML.text(drift.resource.type))\">"
                + "<td>\(badge(drift.status))</td><td>\(HTML.text(drift.resource.type))</td>"
                + "<td><a href=\"\(resourceLink(drift.key))\">\(HTML.text(drift.displayId))</a></td>"
                + "<td class=\"nowrap\">\(HTML.text(drift.resource.region))</td><td>\(differenceList(drift))</td>"
                + "<td>\(notes(drift))</td></tr>\n"
        }
        if shown.isEmpty {
            rows = "<tr><td colspan=\"6\">No resource of this environment matches the filter.</td></tr>\n"
        }
        let statusOptions = [("", "any status")] + DriftStatus.allCases.map { ($0.rawValue, $0.rawValue) }
        let typeOptions = [("", "any type")] + types.map { ($0, $0) }
        // Served, the form asks the watch again (no script needed); in a file, the page's script filters.
        let filter = "<form class=\"filter\" method=\"get\" data-table=\"\(anchor)-table\""
            + (mode == .served ? " action=\"\(environmentLink(environment.name))\">" : ">")
            + select("status", "Status", statusOptions, chosen: status, id: anchor)
            + select("type", "Type", typeOptions, chosen: type, id: anchor)
            + (mode == .served ? "<button type=\"submit\">Filter</button>" : "") + "</form>"
        return "<section id=\"\(anchor)\" aria-labelledby=\"\(anchor)-title\">"
            + "<h1 id=\"\(anchor)-title\">\(HTML.text(environment.name))</h1>"
            + "<p>\(HTML.text(DriftRendering.counts(DriftSummary(environment.resources)))); "
            + "values are live -> desired.</p>" + filter
            + "<div class=\"scroll\"><table id=\"\(anchor)-table\"><caption>Resources of "
            + "\(HTML.text(environment.name))</caption><thead><tr><th scope=\"col\">status</th>"
            + "<th scope=\"col\">type</th><th scope=\"col\">id</th><th scope=\"col\">region</th>"
            + "<th scope=\"col\">differences</th><th scope=\"col\">who, holds, risk</th></tr></thead><tbody>\n"
            + rows + "</tbody></table></div></section>\n"
    }

    func resourceSection(_ drift: ResourceDrift) -> String {
        let key = drift.key
        let anchor = resourceAnchor(key)
        var body = "<section id=\"\(anchor)\" aria-labelledby=\"\(anchor)-title\" class=\"resource\">"
            + "<h1 id=\"\(anchor)-title\">\(HTML.text(key.type)) \(HTML.text(drift.displayId))</h1>"
            + "<dl><dt>Status</dt><dd>\(badge(drift.status))</dd>"
            + "<dt>Environment</dt><dd><a href=\"\(environmentLink(key.environment))\">"
            + "\(HTML.text(key.environment))</a>, \(HTML.text(key.region))</dd>"
            + "<dt>Declared at</dt><dd><code>\(HTML.text(drift.resource.source.file)):"
            + "\(drift.resource.source.line)</code>\(declaredBy(key))</dd>"
        if let reason = drift.reason { body += "<dt>Not checked</dt><dd>\(HTML.text(reason))</dd>" }
        if let attribution = drift.attribution { body += "<dt>Who</dt><dd>\(HTML.text(attribution.summary))</dd>" }
        if let rotation = drift.rotation { body += "<dt>Rotation</dt><dd>\(HTML.text(rotation.said))</dd>" }
        body += "</dl><h2>Differences</h2>" + (drift.differences.isEmpty && drift.status != .deleted
            ? "<p>None: what AWS holds is what the repository declares.</p>" : differenceList(drift))
        let changes = plan.changes.filter { $0.key == key }
        if !changes.isEmpty {
            body += "<h2>Planned writes</h2><ul>"
            for change in changes {
                let values = change.set.keys.sorted().map { path in
                    let set = change.set[path]
                    return "\(DriftRendering.readablePath(path)): \(set?.from?.description ?? "(none)") -> "
                        + (set?.to.description ?? "")
                }
                body += "<li><code>\(HTML.text(change.call))</code>: \(HTML.text(values.joined(separator: "; ")))"
                if let risk = change.risk { body += "<br><strong>destructive</strong>: \(HTML.text(risk.reason))" }
                if let guarded = change.loadGuard { body += "<br><strong>load</strong>: \(HTML.text(guarded.said))" }
                body += "</li>"
            }
            body += "</ul>"
        }
        body += "<h2>History</h2>" + historyTable(history[key] ?? [])
        return body + "</section>\n"
    }

    // MARK: Pieces

    func historyTable(_ entries: [HistoryEntry]) -> String {
        guard !entries.isEmpty else {
            return "<p>Nothing recorded: no commit, write, drift episode or event is known for it here.</p>"
        }
        var rows = ""
        for entry in entries.sorted(by: { $0.at > $1.at }) {
            var what = HTML.text(entry.said)
            if entry.source == .drift {
                what += entry.ended.map { " <span class=\"quiet\">(ended \(HTML.time($0)))</span>" }
                    ?? " <span class=\"quiet\">(still open)</span>"
            }
            rows += "<tr><td>\(HTML.time(entry.at))</td><td>\(entry.source.rawValue)</td><td>\(what)</td>"
                + "<td>\(HTML.text(entry.by.map(Attribution.short) ?? ""))</td>"
                + "<td><code>\(HTML.text(String((entry.reference ?? "").prefix(12))))</code></td></tr>\n"
        }
        return "<div class=\"scroll\"><table class=\"history\"><caption>Newest first</caption><thead><tr>"
            + "<th scope=\"col\">when</th><th scope=\"col\">what</th><th scope=\"col\">said</th>"
            + "<th scope=\"col\">who</th><th scope=\"col\">reference</th></tr></thead><tbody>\n\(rows)</tbody>"
            + "</table></div>"
    }

    /// The differences in the text output's words: `Path: live -> desired`, a hold after it.
    func differenceList(_ drift: ResourceDrift) -> String {
        switch drift.status {
        case .deleted: return "does not exist"
        case .notChecked: return "not checked"
        case .inSync, .modified: break
        }
        guard !drift.differences.isEmpty else { return "" }
        let items = drift.differences.map { difference in
            var item = "<li><code>\(HTML.text(DriftRendering.readablePath(difference.path)))</code>: "
                + HTML.text(DriftRendering.change(difference))
            if let held = difference.held { item += " <span class=\"held\">(\(HTML.text(held.summary)))</span>" }
            return item + "</li>"
        }
        return "<ul class=\"differences\">\(items.joined())</ul>"
    }

    /// Who changed it, its holds, its risk marks, its rotation.
    func notes(_ drift: ResourceDrift) -> String {
        var said: [String] = []
        if let attribution = drift.attribution { said.append(HTML.text(attribution.summary)) }
        if drift.differences.contains(where: { $0.held != nil }) { said.append("<span class=\"mark\">held</span>") }
        if let ended = drift.holdEnded { said.append("hold \(HTML.text(ended.id)) ended") }
        for change in plan.changes where change.key == drift.key {
            if change.risk != nil { said.append("<span class=\"mark\">destructive</span>") }
            if change.loadGuard != nil { said.append("<span class=\"mark\">load</span>") }
        }
        if let rotation = drift.rotation, rotation.isFinding { said.append(HTML.text(rotation.said)) }
        if let reason = drift.reason { said.append(HTML.text(reason)) }
        return said.joined(separator: "<br>")
    }

    func badge(_ status: DriftStatus) -> String {
        "<span class=\"badge \(status.rawValue.lowercased())\">\(status.rawValue)</span>"
    }

    func select(_ name: String, _ label: String, _ options: [(String, String)], chosen: String?,
                id: String) -> String {
        let field = "\(id)-\(name)"
        let items = options.map { value, shown in
            "<option value=\"\(HTML.text(value))\"\(value == (chosen ?? "") ? " selected" : "")>"
                + "\(HTML.text(shown))</option>"
        }.joined()
        return "<label for=\"\(field)\">\(label)</label><select id=\"\(field)\" name=\"\(name)\">\(items)</select>"
    }

    func breadcrumbs(_ trail: [(String, String)]) -> String {
        let links = [("Environments", mode == .served ? "/" : "#overview")] + trail
        return "<nav aria-label=\"Breadcrumb\"><ol class=\"crumbs\">"
            + links.map { "<li><a href=\"\($0.1)\">\(HTML.text($0.0))</a></li>" }.joined() + "</ol></nav>"
    }

    func declaredBy(_ key: ResourceKey) -> String {
        guard let commit = (history[key] ?? []).filter({ $0.source == .commit }).max(by: { $0.at < $1.at })
        else { return "" }
        return ", last changed by <code>\(HTML.text(String((commit.reference ?? "").prefix(12))))</code> "
            + "(\(HTML.text(commit.said)), \(HTML.text(commit.by ?? "")), \(HTML.time(commit.at)))"
    }

    func warningsList() -> String {
        guard !plan.report.warnings.isEmpty else { return "" }
        return "<h2>Warnings</h2><ul>" + plan.report.warnings.map { "<li>\(HTML.text($0))</li>" }.joined() + "</ul>"
    }

    func document(title: String, body: String) -> String {
        let policy = mode == .file
            ? "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                + "\(HTML.hashSource(StatusAssets.style)); script-src \(HTML.hashSource(StatusAssets.script)); "
                + "base-uri 'none'; form-action 'none'\">"
            : ""
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\(policy)"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<meta name=\"color-scheme\" content=\"light dark\"><title>\(HTML.text(title))</title>"
            + "<style>\(StatusAssets.style)</style></head><body><header><a class=\"brand\" href=\""
            + (mode == .served ? "/" : "#overview") + "\">ballast</a> <span class=\"quiet\">status, "
            + "\(HTML.time(now))</span></header><main>\n\(body)</main>"
            + "<script>\(StatusAssets.script)</script></body></html>\n"
    }

    // MARK: Links and lookups

    func environmentLink(_ name: String) -> String {
        mode == .served ? "/env/" + HTML.component(name) : "#env-" + HTML.component(name)
    }

    func resourceLink(_ key: ResourceKey) -> String {
        mode == .served
            ? "/resource/" + [key.environment, key.type, key.region, key.id].map(HTML.component).joined(separator: "/")
            : "#" + resourceAnchor(key)
    }

    /// `res-` and the key's digest: an id HTML allows whatever the resource's id holds.
    func resourceAnchor(_ key: ResourceKey) -> String {
        "res-" + String(Checksum.sha256Hex(Array(key.text.utf8)).prefix(16))
    }

    func drift(_ key: ResourceKey) -> ResourceDrift? {
        plan.report.resources.first { $0.key == key }
    }

    func regions(_ environment: EnvironmentDrift) -> [String] {
        var seen: [String] = [environment.region]
        for drift in environment.resources where !seen.contains(drift.resource.region) {
            seen.append(drift.resource.region)
        }
        return seen
    }

    func resourceJSON(_ drift: ResourceDrift) -> Value {
        var fields: [String: Value] = [
            "type": .string(drift.resource.type), "id": .string(drift.displayId),
            "declaredId": .string(drift.key.id), "region": .string(drift.resource.region),
            "status": .string(drift.status.rawValue),
            "source": .map(["file": .string(drift.resource.source.file), "line": .int(drift.resource.source.line)]),
            "differences": .list(drift.differences.map { difference in
                var said: [String: Value] = [
                    "path": .string(difference.path), "said": .string(DriftRendering.change(difference)),
                ]
                if let held = difference.held { said["held"] = held.json }
                return .map(said)
            }),
            "history": .list((history[drift.key] ?? []).sorted { $0.at > $1.at }.map(\.json)),
        ]
        if let reason = drift.reason { fields["reason"] = .string(reason) }
        if let attribution = drift.attribution { fields["attribution"] = attribution.json }
        if let rotation = drift.rotation { fields["rotation"] = rotation.json }
        let changes = plan.changes.filter { $0.key == drift.key }
        if !changes.isEmpty { fields["changes"] = .list(changes.map(\.json)) }
        return .map(fields)
    }

    /// An environment's counts, as the overview shows them.
    struct Counts {
        var inSync = 0, modified = 0, deleted = 0, notChecked = 0, held = 0, overdue = 0

        init(_ environment: EnvironmentDrift) {
            let summary = DriftSummary(environment.resources)
            (inSync, modified, deleted, notChecked, held) =
                (summary.inSync, summary.modified, summary.deleted, summary.notChecked, summary.held)
            overdue = environment.resources.filter { $0.rotation?.isFinding == true }.count
        }

        var json: Value {
            ["inSync": .int(inSync), "modified": .int(modified), "deleted": .int(deleted),
             "notChecked": .int(notChecked), "held": .int(held), "rotationOverdue": .int(overdue)]
        }
    }
}
