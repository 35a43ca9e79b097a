import BallastCore

/// Untrusted text in a GitHub comment (GitHub's renderer is cmark-gfm). Values go
/// in code spans, which show their content literally: no HTML, no links, no
/// mentions. Prose is escaped instead. Both are safe inside table cells.
enum Markdown {
    /// A code span showing `text` as it is: fenced with one backtick more than its
    /// longest run of backticks, padded with spaces (which cmark strips) so a
    /// backtick at either end cannot close it; `|` escaped for tables.
    static func code(_ text: String) -> String {
        let safe = UntrustedText.line(text)
        var longest = 0, run = 0
        for character in safe {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let body = safe.isEmpty ? " " : safe
        return fence + " " + body.replacingOccurrences(of: "|", with: "\\|") + " " + fence
    }

    /// Prose that renders as itself: ASCII punctuation backslash-escaped (so no
    /// emphasis, links, HTML or entities), and a word joiner after `@` and `#` so
    /// GitHub makes no mention or issue reference of it.
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
