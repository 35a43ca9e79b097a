import BallastCore

/// Scalar resolution of the YAML 1.2 core schema. Unlike YAML 1.1, `yes`, `no`,
/// `on`, `off` are strings, `0755` is decimal 755 and `12:30` is a string.
enum CoreSchema {
    static func resolve(_ s: String) -> Value {
        let u = Array(s.utf8)
        guard let first = u.first else { return .null }
        switch first {
        case UInt8(ascii: "~") where u.count == 1: return .null
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            if s == "null" || s == "Null" || s == "NULL" { return .null }
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if s == "true" || s == "True" || s == "TRUE" { return .bool(true) }
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if s == "false" || s == "False" || s == "FALSE" { return .bool(false) }
        case UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return number(s, u) ?? .string(s)
        default: break
        }
        return .string(s)
    }

    static func tagName(of value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        default: return "str"
        }
    }

    private static func number(_ s: String, _ u: [UInt8]) -> Value? {
        if u.count > 2, u[0] == UInt8(ascii: "0") {
            if u[1] == UInt8(ascii: "o"), let i = Int(s.dropFirst(2), radix: 8) { return .int(i) }
            if u[1] == UInt8(ascii: "x"), let i = Int(s.dropFirst(2), radix: 16) { return .int(i) }
        }
        var i = 0
        if u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-") { i = 1 }
        let rest = s.dropFirst(i)
        if [".inf", ".Inf", ".INF"].contains(rest) {
            return .double(u[0] == UInt8(ascii: "-") ? -.infinity : .infinity)
        }
        if i == 0, [".nan", ".NaN", ".NAN"].contains(s) { return .double(.nan) }
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        var intDigits = 0, fracDigits = 0, hasDot = false, hasExponent = false
        while i < u.count, digits.contains(u[i]) { i += 1; intDigits += 1 }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            hasDot = true
            i += 1
            while i < u.count, digits.contains(u[i]) { i += 1; fracDigits += 1 }
        }
        guard intDigits + fracDigits > 0 else { return nil }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            hasExponent = true
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
            var expDigits = 0
            while i < u.count, digits.contains(u[i]) { i += 1; expDigits += 1 }
            guard expDigits > 0 else { return nil }
        }
        guard i == u.count else { return nil }
        if !hasDot, !hasExponent {
            // Too large for Int: keep the magnitude as a float rather than fail.
            return Int(s).map(Value.int) ?? Double(s).map(Value.double)
        }
        return Double(s).map(Value.double)
    }
}
