/// Reads a mapping node field by field and reports unknown keys with a suggestion.
struct MappingReader {
    let node: Node
    let what: String
    let known: [String]

    /// Nil (and a diagnostic) when `node` is not a mapping.
    init?(_ node: Node, what: String, known: [String], diagnostics: inout Diagnostics) {
        guard node.entries != nil else {
            diagnostics.add(node.location, "\(what) must be a mapping, found \(node.kindName)")
            return nil
        }
        self.node = node
        self.what = what
        self.known = known
        for entry in node.entries! where !known.contains(entry.key) {
            diagnostics.add(entry.keyLocation, "unknown key '\(entry.key)' in \(what)"
                + Suggestion.hint(for: entry.key, in: known))
        }
    }

    subscript(key: String) -> Node? { node[key] }

    func entry(_ key: String) -> Node.Entry? { node.entries!.first { $0.key == key } }

    /// A required string field.
    func string(_ key: String, required: Bool = true, diagnostics: inout Diagnostics) -> String? {
        guard let value = node[key] else {
            if required { diagnostics.add(node.location, "\(what) is missing '\(key)'") }
            return nil
        }
        guard case .string(let s)? = value.scalar, !s.isEmpty else {
            diagnostics.add(value.location, "'\(key)' must be a non-empty string, found \(value.kindName)")
            return nil
        }
        return s
    }
}

public enum RegionName {
    /// `us-east-1`, `eu-central-2`, `us-gov-west-1`: letters, dashes, a final number.
    public static func isValid(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.first!.count == 2, let last = parts.last, !last.isEmpty,
              last.allSatisfy(\.isASCII), last.allSatisfy(\.isNumber) else { return false }
        return parts.dropLast().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
    }
}
