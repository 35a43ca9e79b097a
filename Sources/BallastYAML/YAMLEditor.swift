import BallastCore

/// Replaces one scalar of a YAML file in place, byte for byte around it: comments, blank lines,
/// key order, the other values' quoting and the rest of the file stay exactly as they were
/// (`ballast adopt`). The scalar is found by where its key was written; the new text is written in
/// the old one's style where that reads back as the same value, else double-quoted.
public enum YAMLEditor {
    /// Why a value cannot be written where it was asked.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String

        public init(_ description: String) { self.description = description }
    }

    /// `bytes` with the scalar value of the entry whose key sits at `key` replaced by `value`; with
    /// `field`, the scalar of that field inside the entry's mapping value (a range's `atLeast`).
    /// Refused: no such entry, a value that is not one scalar (a list, a mapping, a block scalar),
    /// a value shared through an anchor or alias, or a value the new text would not read back as.
    public static func replace(in bytes: [UInt8], file: String, key: SourceLocation, field: String? = nil,
                               index: Int? = nil, with value: Value) throws(Refusal) -> [UInt8] {
        let (documents, problems) = YAML.parse(bytes, file: file)
        guard problems.isEmpty else { throw Refusal("\(file) does not parse: \(problems[0])") }
        guard var (node, shared) = find(key, in: documents) else {
            throw Refusal("no key at \(key) in \(file)")
        }
        if let field {
            guard let entry = node.entries?.first(where: { $0.key == field }) else {
                throw Refusal("\(key) has no \(field)")
            }
            shared = shared || node.shared
            node = entry.value
        }
        if let index {
            guard let items = node.items, items.indices.contains(index) else {
                throw Refusal("\(key) has no item \(index)")
            }
            shared = shared || node.shared
            node = items[index]
        }
        guard !shared, !node.shared else {
            throw Refusal("the value reaches it through a YAML anchor or alias shared with other places; change it "
                + "by hand")
        }
        guard case .scalar(let old, _) = node.content, let end = node.end, let style = node.style,
              style != .literal, style != .folded else {
            throw Refusal("its value is not one scalar (a list, a mapping or a block); adopt writes scalars only")
        }
        guard let text = scalar(value, like: style, old: old) else {
            throw Refusal("\(value) is not one scalar; adopt writes scalars only")
        }
        guard let start = offset(of: node.location, in: bytes), let stop = offset(of: end, in: bytes),
              start <= stop else {
            throw Refusal("cannot place \(key) in \(file)")
        }
        let edited = Array(bytes[..<start]) + Array(text.utf8) + Array(bytes[stop...])
        // What was written must read back as the value, at the same place.
        let (again, after) = YAML.parse(edited, file: file)
        guard after.isEmpty, let (written, _) = find(key, in: again) else {
            throw Refusal("writing \(text) at \(key) would break \(file)")
        }
        var target = field.flatMap { name in written.entries?.first { $0.key == name }?.value } ?? written
        if let index, let items = target.items, items.indices.contains(index) { target = items[index] }
        guard target.scalar == value else {
            throw Refusal("\(text) would not read back as \(value) at \(key)")
        }
        return edited
    }

    /// The value node of the entry whose key is at `key`, and whether any node on the way is shared.
    static func find(_ key: SourceLocation, in documents: [Node]) -> (Node, Bool)? {
        func walk(_ node: Node, _ shared: Bool) -> (Node, Bool)? {
            switch node.content {
            case .scalar: return nil
            case .sequence(let items):
                for item in items { if let found = walk(item, shared || node.shared) { return found } }
            case .mapping(let entries):
                for entry in entries {
                    if entry.keyLocation == key { return (entry.value, shared || node.shared) }
                    if let found = walk(entry.value, shared || node.shared) { return found }
                }
            }
            return nil
        }
        for document in documents { if let found = walk(document, false) { return found } }
        return nil
    }

    /// The byte offset of a line and column (in characters, 1-based).
    static func offset(of location: SourceLocation, in bytes: [UInt8]) -> Int? {
        var line = 1, index = 0
        while line < location.line {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { return nil }
            index = newline + 1
            line += 1
        }
        var column = 1
        while column < location.column {
            guard index < bytes.count, bytes[index] != 0x0A else { return column == location.column ? index : nil }
            index += 1
            while index < bytes.count, bytes[index] & 0xC0 == 0x80 { index += 1 }  // the rest of one character
            column += 1
        }
        return index
    }

    /// The YAML text of a scalar value: in `style` where it reads back as the value, else double-quoted
    /// (JSON's escaping is YAML's); nil for a list or a map.
    static func scalar(_ value: Value, like style: Node.ScalarStyle, old: Value) -> String? {
        switch value {
        case .list, .map: return nil
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number):
            guard number.isFinite else { return nil }
            return number == number.rounded() && abs(number) < 1e15 && old.typeName != "number"
                ? String(Int(number)) : String(number)
        case .string(let text):
            switch style {
            case .singleQuoted where !text.contains("\n"):
                return "'" + text.replacing("'", with: "''") + "'"
            case .plain where plainSafe(text):
                return text
            default:
                return JSON.encode(.string(text))
            }
        }
    }

    /// A string that a plain scalar writes as itself, in block and flow context alike: not empty, no
    /// indicator at its start, nothing that starts a comment or a mapping, no flow punctuation, and
    /// not another type to YAML 1.2's core schema (`80`, `true`, `null`).
    static func plainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
              !" \t".unicodeScalars.contains(first), !" \t".unicodeScalars.contains(last) else { return false }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return false }
        if text.contains(": ") || text.contains(" #") || text.hasSuffix(":") { return false }
        if text.unicodeScalars.contains(where: { ",[]{}\n\r\t".unicodeScalars.contains($0) || $0.value < 0x20 }) {
            return false
        }
        return CoreSchema.resolve(text) == .string(text)
    }
}
