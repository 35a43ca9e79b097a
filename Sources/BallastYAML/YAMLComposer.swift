import BallastCore

/// Builds `Node` trees from libyaml's events: every node keeps file, line, column
/// and tag; anchors and aliases are resolved; a duplicate mapping key is an error.
public enum YAML {
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
    var anchors: [String: Node] = [:]
    var diagnostics: [Diagnostic] = []

    mutating func documents(_ reader: YAMLEventReader) throws(Diagnostic) -> [Node] {
        var documents: [Node] = []
        while true {
            switch try reader.next() {
            case .streamEnd: return documents
            case .documentStart:
                anchors = [:]
                documents.append(try node(reader.next(), reader))
            default: continue
            }
        }
    }

    mutating func node(_ event: YAMLEvent, _ reader: YAMLEventReader) throws(Diagnostic) -> Node {
        switch event {
        case .scalar(let text, let tag, let anchor, let plain, let at):
            let value = resolve(text, tag: tag, plain: plain, at: at)
            return remember(Node(.scalar(value, text: text), tag: tag, location: at), anchor)
        case .alias(let anchor, let at):
            guard let target = anchors[anchor] else {
                throw Diagnostic(at, "unknown alias '*\(anchor)' (no anchor '&\(anchor)' before it)")
            }
            return target
        case .sequenceStart(let tag, let anchor, let at):
            var items: [Node] = []
            while true {
                let next = try reader.next()
                if case .sequenceEnd = next { break }
                items.append(try node(next, reader))
            }
            return remember(Node(.sequence(items), tag: tag, location: at), anchor)
        case .mappingStart(let tag, let anchor, let at):
            var entries: [Node.Entry] = []
            var seen: [String: SourceLocation] = [:]
            while true {
                let next = try reader.next()
                if case .mappingEnd = next { break }
                let key = try node(next, reader)
                let value = try node(reader.next(), reader)
                guard case .scalar(_, let text) = key.content else {
                    diagnostics.append(Diagnostic(key.location, "mapping keys must be plain text, found a \(key.kindName)"))
                    continue
                }
                if let first = seen[text] {
                    diagnostics.append(Diagnostic(key.location, "duplicate key '\(text)' (first at line \(first.line))"))
                    continue
                }
                seen[text] = key.location
                entries.append(Node.Entry(key: text, keyLocation: key.location, value: value))
            }
            return remember(Node(.mapping(entries), tag: tag, location: at), anchor)
        default:
            throw Diagnostic(SourceLocation(file: "?"), "unexpected YAML event")
        }
    }

    mutating func remember(_ node: Node, _ anchor: String?) -> Node {
        if let anchor { anchors[anchor] = node }
        return node
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
            diagnostics.append(Diagnostic(at, "unsupported YAML tag '\(tag)'; use plain values or !!str, !!int, !!float, !!bool, !!null"))
            return .string(text)
        }
    }
}
