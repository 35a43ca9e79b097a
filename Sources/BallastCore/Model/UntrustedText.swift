/// Text read from AWS or the repository, made safe to show: nothing in it may
/// move a terminal's cursor, set its title, clear it, hide text, or reorder
/// what is shown (bidirectional overrides). Such characters are written out as
/// escapes (`\x1B`, `\u{202E}`) so a reader sees that they are there.
public enum UntrustedText {
    /// C0 controls, DEL, C1 controls, and Unicode's bidirectional formatting characters.
    public static func isHazard(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `\n`, `\t`, `\x1B`, `\u{202E}`.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return scalar.value <= 0xFF ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{\(hex)}"
        }
    }

    /// One line: every hazard escaped, line breaks and tabs included.
    public static func line(_ text: String) -> String { escaped(text, keeping: []) }

    /// One field of a line (an AWS error, an id): escaped as `line`, and cut at `limit` characters with
    /// what was cut said, so no answer can make a line longer than a reader can take.
    public static func field(_ text: String, limit: Int = 1_000) -> String {
        guard text.count > limit else { return line(text) }
        return line(String(text.prefix(limit))) + "… (\(text.count - limit) more characters)"
    }

    /// A string from AWS kept in a report: at most `limit` characters (ballast's bound), the rest cut.
    public static func capped(_ text: String, limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    /// Many lines: hazards escaped, but line breaks and tabs kept.
    public static func block(_ text: String) -> String { escaped(text, keeping: ["\n", "\t"]) }

    static func escaped(_ text: String, keeping kept: Set<Unicode.Scalar>) -> String {
        let escapes = { (scalar: Unicode.Scalar) in isHazard(scalar) && !kept.contains(scalar) }
        guard text.unicodeScalars.contains(where: escapes) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if escapes(scalar) { out += escape(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
