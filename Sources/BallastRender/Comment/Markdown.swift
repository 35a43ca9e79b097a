import BallastCore

/// Untrusted text in a GitHub comment (GitHub's renderer is cmark-gfm). Values go
/// in code spans, which show their content literally: no HTML, no links, no
/// mentions. Prose is escaped instead. Both are safe inside table cells.
public enum Markdown {
    /// A code span showing `text` as it is: fenced with one backtick more than its
    /// longest run of backticks, and padded with a space on each side (which cmark
    /// strips) when it starts or ends with a backtick or a space; `|` escaped for tables.
    public static func code(_ text: String) -> String {
        let safe = inert(UntrustedText.line(text))
        var longest = 0, run = 0
        for character in safe {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let edges = [safe.first, safe.last]
        let pad = safe.isEmpty || edges.contains("`") || edges.contains(" ") ? " " : ""
        return fence + pad + safe.replacing("|", with: "\\|") + pad + fence
    }

    /// Prose that renders as itself: all ASCII punctuation backslash-escaped (so no
    /// emphasis, links, autolinks, HTML or entities: `http\://` and `www\.` are not
    /// linked), and a word joiner after `@` and `#` so GitHub makes no mention or
    /// issue reference of it.
    public static func text(_ text: String) -> String {
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
    /// `<!--` with a word joiner after `<`: a value that holds an HTML comment (a marker of
    /// ballast's own, say) shows as itself and cannot open a comment or pass for a marker.
    static func inert(_ text: String) -> String {
        text.contains("<!") ? text.replacing("<!", with: "<\u{2060}!") : text
    }

    /// Text inside raw HTML (a `<summary>`): escaped as the status page escapes it (`HTML.text`).
    static func html(_ text: String) -> String { HTML.text(text) }

    /// A value shortened to `limit` characters for a table cell; the details show it whole.
    static func short(_ text: String, limit: Int = 60) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// `<!-- ballast:K -->`: how `ballast comment` finds the comment it wrote before.
/// K is kept to characters that cannot end the HTML comment or break the line.
public enum CommentMarker {
    public static func make(_ key: String) -> String { "<!-- ballast:\(sanitised(key)) -->" }

    /// The key of the marker on `markdown`'s first line, the one place ballast writes it.
    public static func key(in markdown: String) -> String? {
        let first = markdown.prefix { $0 != "\n" }
        guard first.hasPrefix("<!-- ballast:"), first.hasSuffix(" -->") else { return nil }
        let key = String(first.dropFirst("<!-- ballast:".count).dropLast(" -->".count))
        return key.isEmpty || key != sanitised(key) ? nil : key
    }

    /// A GitHub comment or issue (REST JSON) is the one `marker` names: written by `author` (the
    /// token's own login) with the marker as its whole first line. A marker anywhere else (a
    /// reviewer quoting it, live text rendered into a body) does not count.
    public static func marks(_ item: Value, _ marker: String, author: String) -> Bool {
        guard item["user"]?["login"]?.string == author, let body = item["body"]?.string else { return false }
        return body.prefix { $0 != "\n" && $0 != "\r" } == marker
    }

    /// Letters, digits and `._,:/=+-`; anything else becomes `_`; at most 200 characters.
    public static func sanitised(_ key: String) -> String {
        let allowed = Set("._,:/=+-")
        return String(String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) ? $0 : "_" })
            .prefix(200))
    }
}
