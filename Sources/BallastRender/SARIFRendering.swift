import BallastCore
import FoundationEssentials

/// SARIF 2.1.0 (`--output sarif`), the format GitHub code scanning reads: one
/// result per failing policy (a waived one carries its waiver as a suppression)
/// and, for validate, one per mistake, each located at its YAML file and line.
public enum SARIFRendering {
    /// The rule for mistakes in the desired state or policies (`validate`).
    static let mistakeRule = "ballast/invalid-file"

    /// The rule for a planned write its kind declares destructive (`plan`).
    static let destructiveRule = "ballast/destructive-change"

    /// Policy results that did not pass (validate and plan), validate's mistakes, and a plan's destructive
    /// changes (each at the line that declares its resource).
    public static func render(
        policy results: [PolicyResult], policies: [Policy], mistakes: [Diagnostic] = [],
        destructive: [(change: PlannedChange, declared: SourceLocation?)] = []
    ) -> String {
        var run = Run()
        for mistake in mistakes {
            run.add(rule: mistakeRule, level: "error", message: mistake.message, at: mistake.location) {
                rule(mistakeRule, "A desired-state or policy file that ballast cannot read", level: "error")
            }
        }
        let byId = Dictionary(policies.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for result in results where result.result != .pass {
            let suppression: Value? = result.result == .waived
                ? ["kind": "external", "justification": .string(result.reason ?? "waived")] : nil
            run.add(
                rule: result.policy, level: level(result.severity),
                message: "\(result.resource) (\(result.environment)): \(result.message)",
                at: result.source, suppression: suppression
            ) { rule(result, byId[result.policy]) }
        }
        for (change, declared) in destructive {
            guard let risk = change.risk else { continue }
            run.add(rule: destructiveRule, level: "warning",
                    message: "\(change.key.type) \(change.id) (\(change.key.environment)): \(change.call) is "
                        + "\(risk.level.rawValue): \(risk.reason)", at: declared) {
                rule(destructiveRule, "A planned write that deletes data or turns a protection off", level: "warning")
            }
        }
        return run.document
    }

    /// Drift (`drift --output sarif`): one result per differing property, at the line that declares it.
    public static func render(drift report: DriftReport) -> String {
        var run = Run()
        let regions = Set(report.environments.filter(\.spansRegions).map(\.name))
        for drift in report.environments.flatMap(\.resources) {
            let place = drift.resource.environment
                + (regions.contains(drift.resource.environment) ? ", " + drift.resource.region : "")
            let resource = "\(drift.resource.type) \(drift.displayId) (\(place))"
            // With --explain, who changed it closes each message.
            let who = drift.attribution.map { " (\(plain($0.summary)))" } ?? ""
            switch drift.status {
            case .inSync: continue
            case .deleted:
                run.add(rule: "ballast/deleted", level: "warning", message: "\(resource) does not exist\(who)",
                        at: drift.resource.source) {
                    rule("ballast/deleted", "A declared resource that does not exist", level: "warning")
                }
            case .notChecked:
                run.add(
                    rule: "ballast/not-checked", level: "error",
                    message: "\(resource) could not be read: \(drift.reason ?? "")",
                    at: drift.resource.source
                ) {
                    rule("ballast/not-checked", "A declared resource ballast could not read", level: "error")
                }
            case .modified:
                for difference in drift.differences {
                    let at = drift.resource.propertySources[difference.path] ?? drift.resource.source
                    run.add(rule: "ballast/drift", level: "warning",
                            message: "\(resource): \(DriftRendering.readablePath(difference.path)) is "
                                + "\(DriftRendering.change(difference))\(who)", at: at) {
                        rule("ballast/drift", "A live setting that differs from the desired state", level: "warning")
                    }
                }
            }
        }
        return run.document
    }

    /// One SARIF run: rules in first-use order, results pointing at them.
    struct Run {
        var rules: [Value] = []
        var ruleIndex: [String: Int] = [:]
        var results: [Value] = []

        mutating func add(rule id: String, level: String, message: String, at location: SourceLocation?,
                          suppression: Value? = nil, rule describe: () -> Value) {
            let index = ruleIndex[id] ?? {
                rules.append(describe())
                ruleIndex[id] = rules.count - 1
                return rules.count - 1
            }()
            var entry = SARIFRendering.result(rule: id, index: index, level: level, message: message, at: location)
            if let suppression, case .map(var fields) = entry {
                fields["suppressions"] = [suppression]
                entry = .map(fields)
            }
            results.append(entry)
        }

        var document: String {
            let driver: Value = [
                "name": "ballast", "semanticVersion": .string(BallastVersion.current), "rules": .list(rules),
            ]
            let document: Value = [
                "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                "runs": [["tool": ["driver": driver], "columnKind": "unicodeCodePoints", "results": .list(results)]],
            ]
            return JSON.encode(document, pretty: true) + "\n"
        }
    }

    static func rule(_ result: PolicyResult, _ policy: Policy?) -> Value {
        var fields = ruleFields(
            result.policy, policy?.description ?? policy?.message, level: level(policy?.severity ?? result.severity))
        if let policy {
            fields["properties"] = [
                "tags": ["policy", .string(policy.scope.rawValue)], "assert": .string(policy.assert.source),
            ]
        }
        return .map(fields)
    }

    static func rule(_ id: String, _ description: String?, level: String) -> Value {
        .map(ruleFields(id, description, level: level))
    }

    static func ruleFields(_ id: String, _ description: String?, level: String) -> [String: Value] {
        var fields: [String: Value] = ["id": .string(id), "defaultConfiguration": ["level": .string(level)]]
        if let description { fields["shortDescription"] = ["text": .string(description)] }
        return fields
    }

    static func level(_ severity: Policy.Severity) -> String { severity == .deny ? "error" : "warning" }

    /// Text from AWS in a message: no markup a viewer could read (`<!--`), at most 2,000 characters
    /// (`result` makes the whole message one line).
    static func plain(_ text: String) -> String {
        UntrustedText.capped(text, limit: 2_000).replacing("<", with: "\\x3C")
            .replacing(">", with: "\\x3E")
    }

    static func result(rule: String, index: Int, level: String, message: String,
                       at location: SourceLocation?) -> Value {
        // Every message is one line: what it quotes from AWS or the repository cannot start another.
        var entry: [String: Value] = ["ruleId": .string(rule), "ruleIndex": .int(index), "level": .string(level),
                                      "message": ["text": .string(UntrustedText.line(message))]]
        if let location {
            // Relative to the repository root, which is where code scanning resolves them.
            let uri = PercentEncoding.encode(location.file, keepSlash: true)
            var physical: [String: Value] = ["artifactLocation": ["uri": .string(uri)]]
            if location.line > 0 {
                physical["region"] =
                    location.column > 0
                    ? ["startLine": .int(location.line), "startColumn": .int(location.column)]
                    : ["startLine": .int(location.line)]
            }
            entry["locations"] = [["physicalLocation": .map(physical)]]
        }
        return .map(entry)
    }
}
