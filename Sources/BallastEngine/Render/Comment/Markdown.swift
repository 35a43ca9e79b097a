import BallastCore

/// Untrusted text in a GitHub comment (GitHub's renderer is cmark-gfm). Values go
/// in code spans, which show their content literally: no HTML, no links, no
/// mentions. Prose is escaped instead. Both are safe inside table cells.
enum Markdown {
    /// A code span showing `text` as it is: fenced with one backtick more than its
    /// longest run of backticks, and padded with a space on each side (which cmark
    /// strips) when it starts or ends with a backtick or a space; `|` escaped for tables.
    static func code(_ text: String) -> String {
        let safe = UntrustedText.line(text)
        var longest = 0, run = 0
        for character in safe {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let edges = [safe.first, safe.last]
        let pad = safe.isEmpty || edges.contains("`") || edges.contains(" ") ? " " : ""
        return fence + pad + safe.replacingOccurrences(of: "|", with: "\\|") + pad + fence
    }

    /// Prose that renders as itself: all ASCII punctuation backslash-escaped (so no
    /// emphasis, links, autolinks, HTML or entities: `http\://` and `www\.` are not
    /// linked), and a word joiner after `@` and `#` so GitHub makes no mention or
    /// issue reference of it.
    static func text(_ text: String) -> String {
        var out = ""
        for character in UntrustedText.line(text) {
            if character.isASCII, character.isPunctuation || character.isSymbol {
                out += "\\" + String(character)
                if character == "@" || character == "#" { out += "\u{2060}" }
            } else {
                out.append(character)
            }
        }
        return out
    }
}

extension Markdown {
    /// Text inside raw HTML (a `<summary>`): entities for the five characters HTML gives meaning to.
    static func html(_ text: String) -> String {
        var out = ""
        for character in UntrustedText.line(text) {
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

    /// A value shortened to `limit` characters for a table cell; the details show it whole.
    static func short(_ text: String, limit: Int = 60) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// `<!-- ballast:K -->`: how `ballast comment` finds the comment it wrote before.
/// K is kept to characters that cannot end the HTML comment or break the line.
public enum CommentMarker {
    public static func make(_ key: String) -> String { "<!-- ballast:\(sanitised(key)) -->" }

    /// The key of the first marker in `markdown`, if it has one.
    public static func key(in markdown: String) -> String? {
        guard let start = markdown.range(of: "<!-- ballast:"),
              let end = markdown[start.upperBound...].range(of: " -->") else { return nil }
        let key = String(markdown[start.upperBound..<end.lowerBound])
        return key.isEmpty || key != sanitised(key) ? nil : key
    }

    /// Letters, digits and `._,:/=+-`; anything else becomes `_`; at most 200 characters.
    public static func sanitised(_ key: String) -> String {
        let allowed = Set("._,:/=+-")
        return String(String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) ? $0 : "_" })
            .prefix(200))
    }
}
