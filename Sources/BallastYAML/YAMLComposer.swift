import BallastCore

/// Builds `Node` trees from libyaml's events: every node keeps file, line, column
/// and tag; anchors and aliases are resolved; a duplicate mapping key is an error.
/// What a file can cost is bounded: nesting depth, and the nodes aliases expand to.
public enum YAML {
    /// Deeper nesting is refused (a desired-state file needs fewer than ten levels).
    public static let maxDepth = 256
    /// Nodes that aliases may add to a file once expanded (a "billion laughs" file adds billions).
    public static let maxAliasedNodes = 100_000

    /// Every document of a file. Syntax errors end the file; other mistakes
    /// (duplicate keys, bad tags) are collected and parsing goes on.
    public static func parse(_ bytes: [UInt8], file: String) -> (documents: [Node], diagnostics: [Diagnostic]) {
        var composer = Composer()
        do throws(Diagnostic) {
            let documents = try YAMLEventReader.withEvents(bytes, file: file) { reader throws(Diagnostic) in
                try composer.documents(reader)
            }
            return (documents, composer.diagnostics)
        } catch {
            return ([], composer.diagnostics + [error])
        }
    }

    public static func parse(_ text: String, file: String) -> (documents: [Node], diagnostics: [Diagnostic]) {
        parse(Array(text.utf8), file: file)
    }
}

private struct Composer {
    /// An anchored node and how many nodes it stands for once its own aliases are expanded.
    var anchors: [String: (node: Node, size: Int)] = [:]
    var diagnostics: [Diagnostic] = []
    var aliasedNodes = 0
    var depth = 0

    mutating func documents(_ reader: YAMLEventReader) throws(Diagnostic) -> [Node] {
        var documents: [Node] = []
        while true {
            switch try reader.next() {
            case .streamEnd: return documents
            case .documentStart:
                anchors = [:]
                documents.append(try node(reader.next(), reader).node)
            default: continue
            }
        }
    }

    /// A node and its size in nodes, aliases expanded.
    mutating func node(_ event: YAMLEvent, _ reader: YAMLEventReader) throws(Diagnostic) -> (node: Node, size: Int) {
        switch event {
        case .scalar(let text, let tag, let anchor, let style, let at, let end):
            let value = resolve(text, tag: tag, plain: style == .plain, at: at)
            var scalar = Node(.scalar(value, text: text), tag: tag, location: at)
            scalar.end = end
            scalar.style = style
            return remember(scalar, size: 1, anchor)
        case .alias(let anchor, let at):
            guard let target = anchors[anchor] else {
                throw Diagnostic(at, "unknown alias '*\(anchor)' (no anchor '&\(anchor)' before it)")
            }
            aliasedNodes += target.size
            guard aliasedNodes <= YAML.maxAliasedNodes else {
                throw Diagnostic(at, "aliases expand this file past \(YAML.maxAliasedNodes) nodes; "
                    + "a file that size is a mistake (or an alias bomb)")
            }
            var shared = target
            shared.node.shared = true
            return shared
        case .sequenceStart(let tag, let anchor, let at):
            try enter(at, tag: tag, kind: "list")
            defer { depth -= 1 }
            var items: [Node] = []
            var size = 1
            while true {
                let next = try reader.next()
                if case .sequenceEnd = next { break }
                let item = try node(next, reader)
                items.append(item.node)
                size += item.size
            }
            return remember(Node(.sequence(items), tag: tag, location: at), size: size, anchor)
        case .mappingStart(let tag, let anchor, let at):
            try enter(at, tag: tag, kind: "mapping")
            defer { depth -= 1 }
            var entries: [Node.Entry] = []
            var seen: [String: SourceLocation] = [:]
            var size = 1
            while true {
                let next = try reader.next()
                if case .mappingEnd = next { break }
                let key = try node(next, reader)
                let value = try node(reader.next(), reader)
                size += key.size + value.size
                guard case .scalar(_, let text) = key.node.content else {
                    diagnostics.append(
                        Diagnostic(key.node.location, "mapping keys must be plain text, found a \(key.node.kindName)"))
                    continue
                }
                if let first = seen[text] {
                    diagnostics.append(
                        Diagnostic(key.node.location, "duplicate key '\(text)' (first at line \(first.line))"))
                    continue
                }
                seen[text] = key.node.location
                entries.append(Node.Entry(key: text, keyLocation: key.node.location, value: value.node))
            }
            return remember(Node(.mapping(entries), tag: tag, location: at), size: size, anchor)
        default:
            throw Diagnostic(SourceLocation(file: "?"), "unexpected YAML event")
        }
    }

    /// One level deeper into a list or mapping: bounded, and only the core schema's own tags.
    mutating func enter(_ at: SourceLocation, tag: String?, kind: String) throws(Diagnostic) {
        depth += 1
        guard depth <= YAML.maxDepth else {
            throw Diagnostic(at, "nested deeper than \(YAML.maxDepth) levels")
        }
        let core = "tag:yaml.org,2002:"
        if let tag, tag != core + (kind == "list" ? "seq" : "map") {
            diagnostics.append(
                Diagnostic(at, "unsupported YAML tag '\(Self.short(tag))' on a \(kind); write it without a tag"))
        }
    }

    /// `!!set` rather than `tag:yaml.org,2002:set`.
    static func short(_ tag: String) -> String {
        let core = "tag:yaml.org,2002:"
        return tag.hasPrefix(core) ? "!!" + tag.dropFirst(core.count) : tag
    }

    /// An anchored node is shared by its aliases: it and every alias of it are marked so.
    mutating func remember(_ node: Node, size: Int, _ anchor: String?) -> (node: Node, size: Int) {
        guard let anchor else { return (node, size) }
        var shared = node
        shared.shared = true
        anchors[anchor] = (shared, size)
        return (shared, size)
    }

    /// YAML 1.2 core schema: untagged plain scalars may be null, bool, int or
    /// float; quoted scalars and `!` are strings; `!!type` tags force a type.
    mutating func resolve(_ text: String, tag: String?, plain: Bool, at: SourceLocation) -> Value {
        let core = "tag:yaml.org,2002:"
        guard let tag else { return plain ? CoreSchema.resolve(text) : .string(text) }
        switch tag {
        case "!", core + "str": return .string(text)
        case core + "null", core + "bool", core + "int", core + "float":
            let value = CoreSchema.resolve(text)
            let wanted = String(tag.dropFirst(core.count))
            if CoreSchema.tagName(of: value) == wanted { return value }
            if wanted == "float", case .int(let i) = value { return .double(Double(i)) }
            diagnostics.append(Diagnostic(at, "'\(text)' is not a valid !!\(wanted)"))
            return .string(text)
        default:
            diagnostics.append(
                Diagnostic(
                    at,
                    "unsupported YAML tag '\(Self.short(tag))'; use plain values or !!str, !!int, !!float, "
                        + "!!bool, !!null"
                ))
            return .string(text)
        }
    }
}
