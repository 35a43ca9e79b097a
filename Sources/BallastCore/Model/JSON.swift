/// JSON text <-> `Value`. Hand-written so integers stay integers, booleans stay
/// booleans, and output is deterministic (keys sorted).
public enum JSON {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let offset: Int
        public let message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> Value {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> Value {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value()
        parser.skipSpace()
        guard parser.at == bytes.count else { throw ParseError(offset: parser.at, message: "trailing characters") }
        return value
    }

    public static func encode(_ value: Value, pretty: Bool = false) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil)
        return out
    }

    static func write(_ value: Value, into out: inout String, indent: Int?) {
        let newline = indent.map { "\n" + String(repeating: "  ", count: $0 + 1) } ?? ""
        let close = indent.map { "\n" + String(repeating: "  ", count: $0) } ?? ""
        let inner = indent.map { $0 + 1 }
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite, d == d.rounded(), abs(d) < 1e15 {
                out += String(Int(d)) + ".0"
            } else if d.isFinite {
                out += String(d)
            } else {
                out += "null"
            }
        case .string(let s): writeString(s, into: &out)
        case .list(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                out += newline
                write(item, into: &out, indent: inner)
            }
            out += close + "]"
        case .map(let map):
            if map.isEmpty { out += "{}"; return }
            out += "{"
            for (i, key) in map.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                out += newline
                writeString(key, into: &out)
                out += indent == nil ? ":" : ": "
                write(map[key]!, into: &out, indent: inner)
            }
            out += close + "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Controls, DEL, C1 and bidirectional formatting as \u escapes: valid JSON that
            // cannot drive a terminal it is printed on.
            case _ where UntrustedText.isHazard(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Deeper nesting is refused: ballast's own files nest a few levels, and the parser recurses.
    public static let maxDepth = 256

    struct Parser {
        let bytes: [UInt8]
        var at = 0
        var depth = 0

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        func fail(_ message: String) -> ParseError { ParseError(offset: at, message: message) }

        mutating func value() throws(ParseError) -> Value {
            guard at < bytes.count else { throw fail("unexpected end") }
            depth += 1
            defer { depth -= 1 }
            guard depth <= JSON.maxDepth else { throw fail("nested deeper than \(JSON.maxDepth) levels") }
            switch bytes[at] {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let w = Array(word.utf8)
            guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else {
                throw fail("expected \(word)")
            }
            at += w.count
        }

        mutating func object() throws(ParseError) -> Value {
            at += 1
            var map: [String: Value] = [:]
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .map(map) }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                at += 1
                skipSpace()
                map[key] = try value()
                skipSpace()
                guard at < bytes.count else { throw fail("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .map(map) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array() throws(ParseError) -> Value {
            at += 1
            var items: [Value] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .list(items) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                guard at < bytes.count else { throw fail("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .list(items) }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func string() throws(ParseError) -> String {
            at += 1
            // Most strings have no escape: find the closing quote and make the String at once (the
            // byte-by-byte copy below was half of parsing an AWS answer, in perf).
            let start = at
            while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\") { at += 1 }
            if at < bytes.count, bytes[at] == UInt8(ascii: "\"") {
                at += 1
                return String(decoding: bytes[start..<at - 1], as: UTF8.self)
            }
            var out = Array(bytes[start..<at])
            while at < bytes.count {
                let b = bytes[at]
                at += 1
                switch b {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { throw fail("unexpected end") }
                    let e = bytes[at]
                    at += 1
                    switch e {
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
                           bytes[at + 1] == UInt8(ascii: "u") {
                            at += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid \\u surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out += Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
                    default: out.append(e)
                    }
                default: out.append(b)
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16)
            else {
                throw fail("bad \\u escape")
            }
            at += 4
            return v
        }

        mutating func number() throws(ParseError) -> Value {
            let start = at
            var isFloat = false
            while at < bytes.count {
                let b = bytes[at]
                if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                    at += 1
                } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    isFloat = true
                    at += 1
                } else { break }
            }
            let text = String(decoding: bytes[start..<at], as: UTF8.self)
            if !isFloat, let i = Int(text) { return .int(i) }
            guard let d = Double(text) else { throw ParseError(offset: start, message: "bad number '\(text)'") }
            return .double(d)
        }
    }
}

public extension Value {
    /// A map's field; a JSON `null` reads as absent, the way AWS answers mean it.
    subscript(key: String) -> Value? {
        guard case .map(let m) = self, let value = m[key], value != .null else { return nil }
        return value
    }

    /// A list's element; nil out of range or when this is not a list.
    subscript(index: Int) -> Value? {
        guard case .list(let l) = self, l.indices.contains(index) else { return nil }
        return l[index]
    }

    var list: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }

    var map: [String: Value]? {
        if case .map(let m) = self { return m }
        return nil
    }

    var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded(): return Int(exactly: d)
        default: return nil
        }
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
