import BallastCore

public extension XMLTree {
    /// Elements nested deeper than this make an answer malformed: the same bound as a JSON answer's
    /// (`JSON.maxDepth`), far past any AWS answer's shape, so an answer cannot exhaust the stack
    /// (ballast's bound; the answer's size is bounded where it is read).
    static let maxDepth = JSON.maxDepth

    /// Parses an answer's bytes; nil when they are not well-formed XML, or nested past `maxDepth`.
    static func parse(_ bytes: [UInt8]) -> XMLTree? {
        var reader = XMLReader(bytes)
        return reader.document()
    }
}

/// The XML of AWS's query and REST-XML answers, read into an `XMLTree`: elements (a name's prefix
/// dropped), text with the five predefined entities and character references, CDATA sections; comments,
/// processing instructions and attributes are read past. A document type declaration makes the answer
/// malformed: an answer is data, so nothing in it may declare an entity to expand or a file to fetch.
/// Line ends in text are normalised as XML says (`\r\n` and `\r` read as `\n`).
struct XMLReader {
    private let bytes: [UInt8]
    private var at = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The document's one root element, or nil when the bytes are not a well-formed document.
    mutating func document() -> XMLTree? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { at = 3 }
        guard misc(), starts("<"), let root = element() else { return nil }
        guard misc(), at == bytes.count else { return nil }
        return root
    }

    /// Whitespace, comments and processing instructions (the XML declaration among them) before and after
    /// the root; false on anything malformed, or a document type declaration.
    private mutating func misc() -> Bool {
        while true {
            skipSpace()
            if starts("<?") {
                guard skip(past: "?>") else { return false }
            } else if starts("<!--") {
                guard comment() else { return false }
            } else if starts("<!") {
                return false
            } else {
                return true
            }
        }
    }

    /// An element and everything in it, iteratively (the depth is bounded, not the stack).
    private mutating func element() -> XMLTree? {
        var open: [(name: ArraySlice<UInt8>, node: XMLTree, text: [UInt8])] = []
        repeat {
            if starts("</") {
                at += 2
                guard let name = name(), var last = open.popLast(), name == last.name else { return nil }
                skipSpace()
                guard take(">") else { return nil }
                last.node.text = String(decoding: last.text, as: UTF8.self)
                // Whitespace between child elements is layout; a leaf's text is a value, kept exactly
                // (an alarm description ending in a newline must not drift forever).
                if !last.node.children.isEmpty { last.node.text = Self.trimmed(last.node.text) }
                guard !open.isEmpty else { return last.node }
                open[open.count - 1].node.children.append(last.node)
            } else if starts("<!--") {
                guard comment() else { return nil }
            } else if starts("<![CDATA[") {
                at += 9
                let start = at
                guard skip(past: "]]>"), !open.isEmpty else { return nil }
                open[open.count - 1].text += bytes[start..<(at - 3)]
            } else if starts("<?") {
                guard skip(past: "?>") else { return nil }
            } else if starts("<!") {
                return nil
            } else if take("<") {
                guard open.count < XMLTree.maxDepth, let name = name(), attributes() else { return nil }
                let node = XMLTree(name: Self.local(name), text: "", children: [])
                if take("/>") {
                    guard !open.isEmpty else { return node }
                    open[open.count - 1].node.children.append(node)
                } else {
                    guard take(">") else { return nil }
                    open.append((name, node, []))
                }
            } else {
                guard !open.isEmpty, at < bytes.count, text(into: &open[open.count - 1].text) else { return nil }
            }
        } while true
    }

    /// Character data up to the next `<`, its references resolved and its line ends normalised.
    private mutating func text(into out: inout [UInt8]) -> Bool {
        while at < bytes.count, bytes[at] != UInt8(ascii: "<") {
            let byte = bytes[at]
            if byte == UInt8(ascii: "&") {
                guard let scalar = reference() else { return false }
                out += Array(String(Character(scalar)).utf8)
            } else if byte == UInt8(ascii: "\r") {
                out.append(UInt8(ascii: "\n"))
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "\n") { at += 1 }
            } else if byte == UInt8(ascii: "]"), starts("]]>") {
                return false
            } else {
                out.append(byte)
                at += 1
            }
        }
        return true
    }

    /// `&amp;` and its four siblings, `&#NN;` and `&#xHH;`; nil for any other name (a declared entity needs
    /// a document type declaration, which is refused) or a number that is no character XML allows.
    private mutating func reference() -> Unicode.Scalar? {
        guard let end = bytes[at...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { return nil }
        let body = String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
        at = end + 1
        switch body {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard body.hasPrefix("#") else { return nil }
            let digits = body.dropFirst()
            let hex = digits.hasPrefix("x")
            guard let value = UInt32(hex ? digits.dropFirst() : digits, radix: hex ? 16 : 10),
                  let scalar = Unicode.Scalar(value),
                  value == 0x9 || value == 0xA || value == 0xD || value >= 0x20 else { return nil }
            return scalar
        }
    }

    /// A name: up to the first space, `/`, `>`, `=` or end; nil when empty.
    private mutating func name() -> ArraySlice<UInt8>? {
        let start = at
        while at < bytes.count {
            let byte = bytes[at]
            if Self.isSpace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "=") || byte == UInt8(ascii: "<") { break }
            at += 1
        }
        return at > start ? bytes[start..<at] : nil
    }

    /// A start tag's attributes (`name="value"` or `name='value'`), read past: AWS's answers carry only
    /// namespace declarations there.
    private mutating func attributes() -> Bool {
        while true {
            let spaced = skipSpace()
            if starts(">") || starts("/>") { return true }
            guard spaced, name() != nil else { return false }
            skipSpace()
            guard take("=") else { return false }
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") else {
                return false
            }
            let quote = bytes[at]
            at += 1
            guard let end = bytes[at...].firstIndex(of: quote), !bytes[at..<end].contains(UInt8(ascii: "<")) else {
                return false
            }
            at = end + 1
        }
    }

    /// A comment, from its `<!--` through its `-->`; false when it does not end, or holds a `--`.
    private mutating func comment() -> Bool {
        at += 4
        while at + 1 < bytes.count {
            if bytes[at] == UInt8(ascii: "-"), bytes[at + 1] == UInt8(ascii: "-") {
                guard at + 2 < bytes.count, bytes[at + 2] == UInt8(ascii: ">") else { return false }
                at += 3
                return true
            }
            at += 1
        }
        return false
    }

    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = at
        while at < bytes.count, Self.isSpace(bytes[at]) { at += 1 }
        return at > start
    }

    /// Moves past the next `marker`; false when there is none.
    private mutating func skip(past marker: String) -> Bool {
        let wanted = Array(marker.utf8)
        while at + wanted.count <= bytes.count {
            if bytes[at] == wanted[0], bytes[at..<(at + wanted.count)].elementsEqual(wanted) {
                at += wanted.count
                return true
            }
            at += 1
        }
        at = bytes.count
        return false
    }

    private func starts(_ marker: String) -> Bool {
        bytes[at...].starts(with: marker.utf8)
    }

    private mutating func take(_ marker: String) -> Bool {
        guard starts(marker) else { return false }
        at += marker.utf8.count
        return true
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The name without its namespace prefix (`ns:Code` is `Code`).
    private static func local(_ name: ArraySlice<UInt8>) -> String {
        let tail = name.lastIndex(of: UInt8(ascii: ":")).map { name[($0 + 1)...] } ?? name
        return String(decoding: tail, as: UTF8.self)
    }

    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
