import BallastCore

/// The outline of a policy file (`policies:`, `waivers:`, `tests:` lists) until
/// the policy engine reads the policies themselves.
enum PolicyFileShape {
    static let sections = ["policies", "waivers", "tests"]

    static func check(_ files: [ParsedFile]) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for file in files {
            for document in file.documents {
                if case .scalar(.null, _) = document.content { continue }
                guard let entries = document.entries else {
                    found.append(Diagnostic(document.location, "a policy file must be a mapping with 'policies:' and optional 'waivers:'"))
                    continue
                }
                for entry in entries {
                    if !sections.contains(entry.key) {
                        found.append(Diagnostic(entry.keyLocation, "unknown key '\(entry.key)' in a policy file"
                            + Suggestion.hint(for: entry.key, in: sections)))
                    } else if entry.value.items == nil, entry.value.scalar != .null {
                        found.append(Diagnostic(entry.value.location, "'\(entry.key)' must be a list, found \(entry.value.kindName)"))
                    }
                }
            }
        }
        return found
    }
}
