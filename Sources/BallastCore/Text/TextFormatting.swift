/// What ballast needs of text that Foundation's `NSString` gave it, without linking Foundation (and ICU with it):
/// trimming and figures for people to read.
public extension StringProtocol {
    /// Without the white space and line ends at either end, as Foundation's `.whitespacesAndNewlines` trims:
    /// Unicode's space separators, tab, zero width space, and U+000A to U+000D, U+0085, U+2028, U+2029.
    func trimmed() -> String { trimming { $0.isSpace || $0.isLineEnd } }

    /// Without the spaces and tabs at either end (Foundation's `.whitespaces`); line ends stay.
    func trimmingSpaces() -> String { trimming { $0.isSpace } }

    private func trimming(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }),
              let last = scalars.lastIndex(where: { !drop($0) }) else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}

private extension Unicode.Scalar {
    /// As Foundation's `.whitespaces` has it: tab, the space separators, and the zero width space.
    var isSpace: Bool { self == "\t" || value == 0x200B || properties.generalCategory == .spaceSeparator }
    var isLineEnd: Bool { (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029 }
}

/// Figures written for people: what `String(format:)` wrote for ballast.
public enum Figures {
    /// `value` with exactly `digits` decimals (`%.2f`), rounded half away from zero.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.description }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return value.description }
        let whole = UInt64(scaled)
        let divisor = UInt64(scale)
        var text = String(whole / divisor)
        if digits > 0 {
            let fraction = String(whole % divisor)
            text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
        }
        return (value < 0 && whole != 0 ? "-" : "") + text
    }

    /// `value` in at most six significant digits without trailing zeros (`%g` for the figures ballast
    /// prints: rates, bursts, counts): `5`, `0.5`, `0.333333`.
    public static func general(_ value: Double) -> String {
        guard value.isFinite else { return value.description }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var magnitude = 0
        var probe = abs(value)
        while probe >= 10 { probe /= 10; magnitude += 1 }
        while probe < 1 { probe *= 10; magnitude -= 1 }
        var text = fixed(value, digits: max(0, 5 - magnitude))
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// `text` cut or filled with spaces to exactly `width` characters (a column of a table).
    public static func padded(_ text: some StringProtocol, to width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }

    /// `value` at least `width` digits with leading zeros (`%02d`; in hexadecimal, `%02X`).
    public static func zeroPadded(_ value: Int, width: Int, radix: Int = 10) -> String {
        let digits = String(abs(value), radix: radix, uppercase: true)
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
