/// Splits a CEL expression into tokens, each with its offset.
struct CELLexer {
    enum Kind: Equatable {
        case int(String)        // digits as written (decimal or 0x hex), sign applied by the parser
        case double(Double)
        case string(String)
        case identifier(String)
        case symbol(String)
        case end
    }

    struct Token {
        let kind: Kind
        let offset: Int
    }

    static let symbols = [
        "==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",",
        "[", "]", "(", ")", "{", "}",
    ]
    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
        "loop", "package", "namespace", "return", "var", "void", "while",
    ]

    let text: [Character]
    var position = 0

    init(_ source: String) {
        text = Array(source)
    }

    static func tokens(_ source: String) throws(CELError) -> [Token] {
        var lexer = CELLexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    func peek(_ ahead: Int = 0) -> Character? {
        position + ahead < text.count ? text[position + ahead] : nil
    }

    mutating func next() throws(CELError) -> Token {
        skipSpaceAndComments()
        let start = position
        guard let c = peek() else { return Token(kind: .end, offset: start) }
        if c.isDigit || (c == "." && peek(1)?.isDigit == true) { return try number() }
        if (c.isLetter && c.isASCII) || c == "_" {
            var word = ""
            while let d = peek(), d.isLetter || d.isDigit || d == "_", d.isASCII { word.append(d); position += 1 }
            let quote = peek()
            if quote == "\"" || quote == "'",
                ["r", "R", "b", "B", "rb", "rB", "Rb", "RB", "br", "bR", "Br", "BR"].contains(word) {
                if word.lowercased().contains("b") {
                    throw CELError("bytes literals are outside ballast's CEL subset", at: start)
                }
                return Token(kind: .string(try string(raw: true)), offset: start)
            }
            if Self.reserved.contains(word) { throw CELError("'\(word)' is a reserved word", at: start) }
            return Token(kind: .identifier(word), offset: start)
        }
        if c == "\"" || c == "'" { return Token(kind: .string(try string(raw: false)), offset: start) }
        if c == "`" {
            // A quoted field name (`.`content-type``), for map keys that are not identifiers.
            position += 1
            var name = ""
            while let d = peek(), d != "`" { name.append(d); position += 1 }
            guard peek() == "`", !name.isEmpty else { throw CELError("unterminated quoted field name", at: start) }
            position += 1
            return Token(kind: .identifier(name), offset: start)
        }
        for symbol in Self.symbols where matches(symbol) {
            position += symbol.count
            return Token(kind: .symbol(symbol), offset: start)
        }
        throw CELError("unexpected character '\(c)'", at: start)
    }

    func matches(_ symbol: String) -> Bool {
        for (i, s) in symbol.enumerated() where peek(i) != s { return false }
        return true
    }

    mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c.isWhitespace { position += 1 } else if c == "/" && peek(1) == "/" {
                while peek().map({ $0 != "\n" }) == true { position += 1 }
            } else { return }
        }
    }

    mutating func number() throws(CELError) -> Token {
        let start = position
        if peek() == "0", peek(1) == "x" || peek(1) == "X" {
            position += 2
            var digits = ""
            while let d = peek(), d.isHexDigit {
                digits.append(d)
                position += 1
            }
            if peek() == "u" || peek() == "U" {
                throw CELError("unsigned integers are outside ballast's CEL subset", at: start)
            }
            guard !digits.isEmpty else { throw CELError("a hex number needs digits", at: start) }
            return Token(kind: .int("0x" + digits), offset: start)
        }
        var literal = ""
        var isDouble = false
        while let d = peek(), d.isDigit { literal.append(d); position += 1 }
        if peek() == ".", peek(1)?.isDigit == true {
            isDouble = true
            literal.append("."); position += 1
            while let d = peek(), d.isDigit { literal.append(d); position += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            let sign = peek(1) == "+" || peek(1) == "-"
            if peek(sign ? 2 : 1)?.isDigit == true {
                isDouble = true
                literal.append("e"); position += 1
                if sign { literal.append(peek()!); position += 1 }
                while let d = peek(), d.isDigit { literal.append(d); position += 1 }
            }
        }
        if !isDouble, peek() == "u" || peek() == "U" {
            throw CELError("unsigned integers are outside ballast's CEL subset", at: start)
        }
        if isDouble {
            guard let value = Double(literal) else { throw CELError("bad number '\(literal)'", at: start) }
            return Token(kind: .double(value), offset: start)
        }
        return Token(kind: .int(literal), offset: start)
    }

    /// A quoted string: '...', "...", or triple-quoted; raw strings keep backslashes.
    mutating func string(raw: Bool) throws(CELError) -> String {
        let start = position
        let quote = peek()!
        let triple = peek(1) == quote && peek(2) == quote
        position += triple ? 3 : 1
        var bytes: [UInt8] = []
        func append(_ s: String) { bytes += Array(s.utf8) }
        while true {
            guard let c = peek() else { throw CELError("unterminated string", at: start) }
            if triple ? (c == quote && peek(1) == quote && peek(2) == quote) : c == quote {
                position += triple ? 3 : 1
                break
            }
            if !triple && c == "\n" { throw CELError("unterminated string", at: start) }
            position += 1
            guard c == "\\", !raw else { append(String(c)); continue }
            guard let e = peek() else { throw CELError("unterminated string", at: start) }
            position += 1
            switch e {
            case "\\", "'", "\"", "`", "?": append(String(e))
            case "a": bytes.append(7)
            case "b": bytes.append(8)
            case "f": bytes.append(12)
            case "n": bytes.append(10)
            case "r": bytes.append(13)
            case "t": bytes.append(9)
            case "v": bytes.append(11)
            case "x", "X", "u", "U":
                let count = e == "u" ? 4 : e == "U" ? 8 : 2
                var hex = ""
                for _ in 0..<count { if let d = peek(), d.isHexDigit { hex.append(d); position += 1 } }
                guard hex.count == count, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw CELError("bad escape \\\(e)\(hex)", at: position)
                }
                append(String(Character(scalar)))
            case "0"..."3":
                var octal = String(e)
                for _ in 0..<2 { if let d = peek(), ("0"..."7").contains(d) { octal.append(d); position += 1 } }
                guard octal.count == 3, let code = UInt32(octal, radix: 8), let scalar = Unicode.Scalar(code) else {
                    throw CELError("bad octal escape \\\(octal)", at: position)
                }
                append(String(Character(scalar)))
            default: throw CELError("unknown escape \\\(e)", at: position - 2)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Character {
    /// 0-9 only: CEL's numbers and identifiers are ASCII (`isNumber` takes in `½` and `٣`).
    var isDigit: Bool { ("0"..."9").contains(self) }
}
