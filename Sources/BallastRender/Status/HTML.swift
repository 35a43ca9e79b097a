import BallastCore
import BallastCrypto
import FoundationEssentials

/// HTML for the status page: every value that came from AWS, git or the repository goes through `text`,
/// which makes control and bidirectional characters visible (as the terminal output does) and then escapes
/// the five characters HTML gives a meaning, so no value can open a tag, end an attribute or run a script.
enum HTML {
    static func text(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in UntrustedText.field(value, limit: 2_000) {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A path segment or query value: everything but unreserved characters percent-encoded (a `/` in an
    /// id stays inside its segment).
    static func component(_ value: String) -> String {
        PercentEncoding.encode(value)
    }

    /// `'sha256-...'`: a Content-Security-Policy source that allows exactly this inline text.
    static func hashSource(_ inline: String) -> String {
        "'sha256-" + Data(Digest.sha256(Array(inline.utf8))).base64EncodedString() + "'"
    }

    /// `<time datetime="...">2026-12-06 07:00 UTC</time>`.
    static func time(_ date: Date) -> String {
        let iso = Timestamp.iso8601(date)
        let shown = iso.replacing("T", with: " ").replacing("Z", with: " UTC")
        return "<time datetime=\"\(iso)\">\(text(shown))</time>"
    }

    /// `4 min ago`, `2 h ago`, `3 days ago`.
    static func age(_ seconds: TimeInterval) -> String {
        let seconds = max(0, Int(seconds))
        switch seconds {
        case ..<60: return "\(seconds) s ago"
        case ..<3_600: return "\(seconds / 60) min ago"
        case ..<172_800: return "\(seconds / 3_600) h ago"
        default: return "\(seconds / 86_400) days ago"
        }
    }
}
