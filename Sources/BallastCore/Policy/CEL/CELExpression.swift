import FoundationEssentials

/// A parsed CEL expression: a tree of nodes, each with its offset in the source.
public indirect enum CELNode: Sendable {
    case literal(CELValue, Int)
    case identifier(String, Int)
    case select(CELNode, String, Int)
    case has(CELNode, String, Int)
    case index(CELNode, CELNode, Int)
    case call(String, target: CELNode?, [CELNode], Int)
    case list([CELNode], Int)
    case map([(CELNode, CELNode)], Int)
    case unary(String, CELNode, Int)
    case binary(String, CELNode, CELNode, Int)
    case conditional(CELNode, CELNode, CELNode, Int)

    var offset: Int {
        switch self {
        case .literal(_, let o), .identifier(_, let o), .select(_, _, let o), .has(_, _, let o), .index(_, _, let o),
             .call(_, _, _, let o), .list(_, let o), .map(_, let o), .unary(_, _, let o), .binary(_, _, _, let o),
             .conditional(_, _, _, let o): o
        }
    }
}

/// An expression parsed once (at load) and evaluated many times.
public struct CELExpression: Sendable {
    public let source: String
    let root: CELNode
    /// `matches` patterns written as literals, compiled once here rather than at every evaluation.
    let patterns: CompiledPatterns

    /// Functions and methods the subset has.
    static let functions: Set<String> = ["size", "startsWith", "endsWith", "contains", "matches"]

    /// An assert longer than this is a mistake; it also bounds the tree's height,
    /// so evaluation recursion stays shallow on any thread's stack.
    static let maxTokens = 512

    public init(_ source: String) throws(CELError) {
        self.source = source
        let tokens = try CELLexer.tokens(source)
        guard tokens.count <= Self.maxTokens + 1 else {  // + the end token
            throw CELError(
                "expression has more than \(Self.maxTokens) tokens; split the policy",
                at: tokens[Self.maxTokens].offset)
        }
        var parser = CELParser(tokens: tokens)
        root = try parser.parseWhole()
        patterns = CompiledPatterns(root)
    }
}

/// Recursive descent with CEL's precedence, loosest first: `?:`, then the
/// binary levels in `levels`, then unary `! -`, then member access.
struct CELParser {
    let tokens: [CELLexer.Token]
    var position = 0
    var depth = 0

    init(tokens: [CELLexer.Token]) {
        self.tokens = tokens
    }

    var current: CELLexer.Token { tokens[position] }

    mutating func parseWhole() throws(CELError) -> CELNode {
        let node = try expression()
        guard current.kind == .end else { throw CELError("unexpected \(describe(current.kind))", at: current.offset) }
        return node
    }

    func isSymbol(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }

    mutating func take(_ symbol: String) -> Bool {
        guard isSymbol(symbol) else { return false }
        position += 1
        return true
    }

    mutating func expect(_ symbol: String) throws(CELError) {
        guard take(symbol) else {
            throw CELError("expected '\(symbol)' but found \(describe(current.kind))", at: current.offset)
        }
    }

    func describe(_ kind: CELLexer.Kind) -> String {
        switch kind {
        case .end: "the end of the expression"
        case .symbol(let s): "'\(s)'"
        case .identifier(let s): "'\(s)'"
        case .int(let s): s
        case .double(let d): "\(d)"
        case .string: "a string"
        }
    }

    mutating func expression() throws(CELError) -> CELNode {
        depth += 1
        defer { depth -= 1 }
        guard depth < 250 else { throw CELError("expression nested too deeply", at: current.offset) }
        let condition = try binary(0)
        let at = current.offset
        guard take("?") else { return condition }
        let then = try binary(0)
        try expect(":")
        return .conditional(condition, then, try expression(), at)
    }

    /// The binary operators by level, loosest first; each level is left-associative.
    static let levels: [Set<String>] = [
        ["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">=", "in"], ["+", "-"], ["*", "/", "%"],
    ]

    mutating func binary(_ level: Int) throws(CELError) -> CELNode {
        guard level < Self.levels.count else { return try unary() }
        var left = try binary(level + 1)
        while let op = currentOperator, Self.levels[level].contains(op) {
            let at = current.offset
            position += 1
            left = .binary(op, left, try binary(level + 1), at)
        }
        return left
    }

    var currentOperator: String? {
        switch current.kind {
        case .symbol(let s): s
        case .identifier("in"): "in"
        default: nil
        }
    }

    mutating func unary() throws(CELError) -> CELNode {
        let at = current.offset
        if take("!") { return .unary("!", try unary(), at) }
        if take("-") {
            // A negated integer literal is one literal, so -9223372036854775808 fits.
            if case .int(let digits) = current.kind {
                position += 1
                guard let value = Self.integer("-" + digits) else {
                    throw CELError("integer literal out of range", at: at)
                }
                return try member(.literal(.int(value), at))
            }
            return .unary("-", try unary(), at)
        }
        return try member(try primary())
    }

    static func integer(_ text: String) -> Int64? {
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let magnitude = digits.hasPrefix("0x") ? UInt64(digits.dropFirst(2), radix: 16) : UInt64(digits)
        guard let magnitude else { return nil }
        if negative { return magnitude == UInt64(Int64.max) + 1 ? Int64.min : Int64(exactly: magnitude).map { -$0 } }
        return Int64(exactly: magnitude)
    }

    mutating func member(_ start: CELNode) throws(CELError) -> CELNode {
        var node = start
        while true {
            let at = current.offset
            if take(".") {
                guard case .identifier(let name) = current.kind else {
                    throw CELError("expected a field name after '.'", at: current.offset)
                }
                position += 1
                if take("(") {
                    guard CELExpression.functions.contains(name) else {
                        throw CELError(
                            "unknown method '\(name)' (ballast's CEL subset has "
                                + "\(CELExpression.functions.sorted().joined(separator: ", ")))",
                            at: at + 1)
                    }
                    node = .call(name, target: node, try arguments(")"), at)
                } else if isSymbol("{") {
                    throw CELError("message construction is outside ballast's CEL subset", at: current.offset)
                } else {
                    node = .select(node, name, at)
                }
            } else if take("[") {
                let index = try expression()
                try expect("]")
                node = .index(node, index, at)
            } else {
                return node
            }
        }
    }

    mutating func arguments(_ close: String) throws(CELError) -> [CELNode] {
        var items: [CELNode] = []
        if take(close) { return items }
        repeat {
            if isSymbol(close) { break }  // trailing comma
            items.append(try expression())
        } while take(",")
        try expect(close)
        return items
    }

    mutating func primary() throws(CELError) -> CELNode {
        let token = current
        position += 1
        switch token.kind {
        case .int(let digits):
            guard let value = Self.integer(digits) else {
                throw CELError("integer literal out of range", at: token.offset)
            }
            return .literal(.int(value), token.offset)
        case .double(let value): return .literal(.double(value), token.offset)
        case .string(let value): return .literal(.string(value), token.offset)
        case .identifier("true"): return .literal(.bool(true), token.offset)
        case .identifier("false"): return .literal(.bool(false), token.offset)
        case .identifier("null"): return .literal(.null, token.offset)
        case .identifier(let name):
            guard take("(") else {
                if isSymbol("{") {
                    throw CELError("message construction is outside ballast's CEL subset", at: current.offset)
                }
                return .identifier(name, token.offset)
            }
            let args = try arguments(")")
            if name == "has" {
                guard args.count == 1, case .select(let target, let field, _) = args[0] else {
                    throw CELError("has() takes one field selection, like has(properties.MinSize)", at: token.offset)
                }
                return .has(target, field, token.offset)
            }
            guard CELExpression.functions.contains(name) else {
                throw CELError(
                    "unknown function '\(name)' (ballast's CEL subset has "
                        + "\(CELExpression.functions.sorted().joined(separator: ", ")))",
                    at: token.offset)
            }
            return .call(name, target: nil, args, token.offset)
        case .symbol("("):
            let inner = try expression()
            try expect(")")
            return inner
        case .symbol("["): return .list(try arguments("]"), token.offset)
        case .symbol("{"):
            var entries: [(CELNode, CELNode)] = []
            if !take("}") {
                repeat {
                    if isSymbol("}") { break }
                    let key = try expression()
                    try expect(":")
                    entries.append((key, try expression()))
                } while take(",")
                try expect("}")
            }
            return .map(entries, token.offset)
        case .symbol("."):
            throw CELError("qualified names are outside ballast's CEL subset", at: token.offset)
        default:
            throw CELError("unexpected \(describe(token.kind))", at: token.offset)
        }
    }
}

/// A `matches` pattern, compiled: in linear time (`LinearPattern`, a Thompson NFA: a policy is
/// repository text, so no pattern may backtrack), or, for what that refuses (inline flags such as
/// `(?i)`, POSIX classes), by Swift's `Regex`, scalar by scalar (RE2's unit, as CEL's `matches` names it).
enum CompiledPattern: @unchecked Sendable {
    case linear(LinearPattern)
    case regex(Regex<AnyRegexOutput>)

    /// Whether the pattern matches anywhere in `text`.
    func matches(_ text: String) -> Bool {
        switch self {
        case .linear(let pattern): return pattern.matches(text)
        case .regex(let regex): return text.contains(regex)
        }
    }
}

/// Regular expressions compiled at parse time. Immutable, and only read once made.
final class CompiledPatterns: @unchecked Sendable {
    let byPattern: [String: CompiledPattern]

    static func compile(_ pattern: String) -> CompiledPattern? {
        if let linear = try? LinearPattern(pattern) { return .linear(linear) }
        return (try? Regex(pattern)).map { .regex($0.matchingSemantics(.unicodeScalar)) }
    }

    init(_ root: CELNode) {
        var found: [String: CompiledPattern] = [:]
        func walk(_ node: CELNode) {
            switch node {
            case .call("matches", let target, let args, _):
                if let pattern = args.last, case .literal(.string(let text), _) = pattern {
                    found[text] = Self.compile(text)
                }
                target.map(walk)
                args.forEach(walk)
            case .call(_, let target, let args, _): target.map(walk); args.forEach(walk)
            case .literal, .identifier: break
            case .select(let n, _, _), .has(let n, _, _), .unary(_, let n, _): walk(n)
            case .index(let a, let b, _), .binary(_, let a, let b, _): walk(a); walk(b)
            case .list(let items, _): items.forEach(walk)
            case .map(let entries, _): entries.forEach { walk($0.0); walk($0.1) }
            case .conditional(let a, let b, let c, _): walk(a); walk(b); walk(c)
            }
        }
        walk(root)
        byPattern = found
    }
}
