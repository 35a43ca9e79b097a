import Foundation
import BallastTestSupport

/// Enough of the protobuf text format to read the CEL conformance files:
/// fields `name: scalar` and `name { ... }` (or `name: { ... }`), repeated by
/// repetition, `#` comments, C-style string escapes, adjacent strings joined.
indirect enum TextProto {
    case scalar(String)      // a number or enum word, as written
    case string(String)
    case message([(String, TextProto)])

    subscript(_ name: String) -> TextProto? { all(name).first }

    func all(_ name: String) -> [TextProto] {
        guard case .message(let fields) = self else { return [] }
        return fields.filter { $0.0 == name }.map(\.1)
    }

    var text: String? {
        switch self {
        case .scalar(let s), .string(let s): s
        case .message: nil
        }
    }

    var fieldNames: [String] {
        guard case .message(let fields) = self else { return [] }
        return fields.map(\.0)
    }

    static func parse(_ source: String) throws -> TextProto {
        var reader = Reader(bytes: Array(source.utf8))
        return .message(try reader.fields(until: nil))
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func skip() {
            while position < bytes.count {
                let c = bytes[position]
                if c == UInt8(ascii: "#") {
                    while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
                } else if c == 32 || c == 9 || c == 10 || c == 13 || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") {
                    position += 1
                } else { return }
            }
        }

        mutating func fields(until close: UInt8?) throws -> [(String, TextProto)] {
            var fields: [(String, TextProto)] = []
            while true {
                skip()
                if position >= bytes.count {
                    if close == nil { return fields }
                    throw TestFailure("textproto: unexpected end")
                }
                if let close, bytes[position] == close { position += 1; return fields }
                let name = word()
                guard !name.isEmpty else { throw TestFailure("textproto: expected a field name at byte \(position)") }
                skip()
                if bytes[position] == UInt8(ascii: ":") { position += 1; skip() }
                fields.append((name, try value()))
            }
        }

        mutating func word() -> String {
            let start = position
            while position < bytes.count {
                let c = bytes[position]
                let ok =
                    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 46
                    || c == 45 || c == 43
                if !ok { break }
                position += 1
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func value() throws -> TextProto {
            let c = bytes[position]
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "<") {
                position += 1
                return .message(try fields(until: c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")))
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                var joined: [UInt8] = []
                while position < bytes.count,
                    bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") {
                    joined += try string()
                    skip()
                }
                return .string(String(decoding: joined, as: UTF8.self))
            }
            return .scalar(word())
        }

        mutating func string() throws -> [UInt8] {
            let quote = bytes[position]
            position += 1
            var out: [UInt8] = []
            while position < bytes.count, bytes[position] != quote {
                var c = bytes[position]
                position += 1
                guard c == UInt8(ascii: "\\") else { out.append(c); continue }
                c = bytes[position]
                position += 1
                switch c {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "a"): out.append(7)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "v"): out.append(11)
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = c == UInt8(ascii: "u") ? 4 : 8
                    let hex = String(decoding: bytes[position..<position + count], as: UTF8.self)
                    position += count
                    out += Array(String(Character(Unicode.Scalar(UInt32(hex, radix: 16) ?? 63) ?? "?")).utf8)
                case UInt8(ascii: "x"):
                    var hex = ""
                    while hex.count < 2, position < bytes.count,
                        UInt8(String(UnicodeScalar(bytes[position])), radix: 16) != nil {
                        hex.append(Character(UnicodeScalar(bytes[position])))
                        position += 1
                    }
                    out.append(UInt8(hex, radix: 16) ?? 0)
                case 48...55:
                    var octal = String(UnicodeScalar(c))
                    while octal.count < 3, position < bytes.count, (48...55).contains(bytes[position]) {
                        octal.append(Character(UnicodeScalar(bytes[position]))); position += 1
                    }
                    out.append(UInt8(octal, radix: 8) ?? 0)
                default: out.append(c)
                }
            }
            position += 1
            return out
        }
    }
}
