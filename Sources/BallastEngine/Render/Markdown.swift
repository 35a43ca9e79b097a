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
