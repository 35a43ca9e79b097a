import FoundationEssentials

/// Decodes `policies/*.yaml`: `policies:`, `waivers:` and `tests:` lists. Every
/// mistake (an assert that does not parse included) is a file:line:column diagnostic.
/// Test resources are decoded like desired-state ones, by `resources`.
public enum PolicyDecoder {
    static let sections = ["policies", "waivers", "tests"]
    static let policyKeys = ["id", "description", "severity", "match", "on", "assert", "message"]
    static let matchKeys = ["type", "id", "environments"]
    static let waiverKeys = ["policy", "id", "environments", "until", "reason"]

    public static func decode(
        _ files: [ParsedFile], resources: ResourceDecoder, diagnostics: inout Diagnostics
    ) -> PolicySet {
        var set = PolicySet()
        var waiverNodes: [Node] = [], testNodes: [Node] = []
        var seen: [String: SourceLocation] = [:]
        for file in files {
            for document in file.documents {
                if case .scalar(.null, _) = document.content { continue }
                guard
                    let reader = MappingReader(
                        document, what: "a policy file", known: sections, diagnostics: &diagnostics)
                else { continue }
                for section in sections {
                    guard let list = reader[section] else { continue }
                    guard let items = list.items else {
                        if list.scalar != .null {
                            diagnostics.add(list.location, "'\(section)' must be a list, found \(list.kindName)")
                        }
                        continue
                    }
                    switch section {
                    case "policies":
                        for item in items {
                            guard let policy = decodePolicy(item, diagnostics: &diagnostics) else { continue }
                            if let first = seen[policy.id] {
                                diagnostics.add(
                                    policy.source, "duplicate policy id '\(policy.id)' (first at \(first))")
                                continue
                            }
                            seen[policy.id] = policy.source
                            set.policies.append(policy)
                        }
                    case "waivers": waiverNodes += items
                    default: testNodes += items
                    }
                }
            }
        }
        let ids = set.policies.map(\.id)
        set.waivers = waiverNodes.compactMap { decodeWaiver($0, policies: ids, diagnostics: &diagnostics) }
        set.tests = testNodes.compactMap {
            PolicyTestDecoder(policies: set.policies, resources: resources).decode($0, diagnostics: &diagnostics)
        }
        return set
    }

    static func decodePolicy(_ node: Node, diagnostics: inout Diagnostics) -> Policy? {
        guard let map = MappingReader(node, what: "a policy", known: policyKeys, diagnostics: &diagnostics) else {
            return nil
        }
        let before = diagnostics.all.count
        let id = map.string("id", diagnostics: &diagnostics)
        let description = map.string("description", required: false, diagnostics: &diagnostics)
        let message = map.string("message", required: false, diagnostics: &diagnostics)
        let severity = map.string("severity", diagnostics: &diagnostics).flatMap { text -> Policy.Severity? in
            guard let severity = Policy.Severity(rawValue: text) else {
                diagnostics.add(
                    map["severity"]!.location,
                    "severity must be deny or warn, found '\(text)'"
                        + Suggestion.hint(for: text, in: ["deny", "warn"]))
                return nil
            }
            return severity
        }
        var scope = Policy.Scope.state
        if let text = map.string("on", required: false, diagnostics: &diagnostics) {
            if let parsed = Policy.Scope(rawValue: text) {
                scope = parsed
            } else {
                diagnostics.add(
                    map["on"]!.location,
                    "'on' must be state or change, found '\(text)'"
                        + Suggestion.hint(for: text, in: ["state", "change"]))
            }
        }
        let match =
            map["match"].map { decodeMatch($0, what: "a policy's match", keys: matchKeys, diagnostics: &diagnostics) }
            ?? PolicyMatch()
        var assert: CELExpression?
        if let text = map.string("assert", diagnostics: &diagnostics), let node = map["assert"] {
            do { assert = try CELExpression(text) } catch {
                var at = node.location
                at.column += error.offset
                diagnostics.add(at, "assert: \(error.message)")
            }
        }
        guard diagnostics.all.count == before, let id, let severity, let assert else { return nil }
        return Policy(id: id, description: description, severity: severity, match: match, scope: scope, assert: assert,
                      assertLocation: map["assert"]!.location, message: message, source: node.location)
    }

    static func decodeMatch(_ node: Node, what: String, keys: [String],
                            diagnostics: inout Diagnostics) -> PolicyMatch {
        guard let map = MappingReader(node, what: what, known: keys, diagnostics: &diagnostics) else {
            return PolicyMatch()
        }
        return PolicyMatch(
            type: map.string("type", required: false, diagnostics: &diagnostics),
            id: map.string("id", required: false, diagnostics: &diagnostics),
            environments: environments(map, diagnostics: &diagnostics))
    }

    static func environments(_ map: MappingReader, diagnostics: inout Diagnostics) -> [String]? {
        guard let node = map["environments"] else { return nil }
        guard let names = node.items?.compactMap({ $0.scalar?.string }), names.count == node.items?.count else {
            diagnostics.add(node.location, "environments must be a list of environment names, like [prod]")
            return nil
        }
        return names
    }

    static func decodeWaiver(_ node: Node, policies: [String], diagnostics: inout Diagnostics) -> Waiver? {
        guard let map = MappingReader(node, what: "a waiver", known: waiverKeys, diagnostics: &diagnostics) else {
            return nil
        }
        let before = diagnostics.all.count
        let policy = map.string("policy", diagnostics: &diagnostics)
        if let policy, !policies.contains(policy) {
            diagnostics.add(
                map["policy"]!.location,
                "the waiver names an unknown policy '\(policy)'" + Suggestion.hint(for: policy, in: policies))
        }
        let reason = map.string("reason", diagnostics: &diagnostics)
        let untilText = map["until"].map { $0.scalar?.string ?? $0.scalar.map(\.description) ?? "" }
        var until: Date?
        if let untilText {
            until = Self.day(untilText)
            if until == nil {
                diagnostics.add(map["until"]!.location, "until must be a date like 2027-01-31, found '\(untilText)'")
            }
        } else {
            diagnostics.add(node.location, "a waiver is missing 'until': waivers expire")
        }
        let match = PolicyMatch(id: map.string("id", required: false, diagnostics: &diagnostics),
                                environments: environments(map, diagnostics: &diagnostics))
        guard diagnostics.all.count == before, let policy, let reason, let until, let untilText else { return nil }
        return Waiver(
            policy: policy, match: match, until: until, untilText: untilText, reason: reason, source: node.location)
    }

    /// `2027-01-31` as midnight UTC.
    static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        var components = DateComponents(year: y, month: m, day: d)
        components.timeZone = .gmt
        guard let date = ChangeWindow.utc.date(from: components),
              ChangeWindow.utc.dateComponents([.day], from: date).day == d else { return nil }
        return date
    }
}
