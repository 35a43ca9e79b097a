import FoundationEssentials

extension CELExpression {
    /// Evaluates with `variables` bound (`properties`, `before`, `after`, `resource`, `environment`).
    /// Type errors, missing fields and the like are thrown with their offset.
    public func evaluate(_ variables: [String: CELValue]) throws(CELError) -> CELValue {
        try CELEvaluator(variables: variables, patterns: patterns).eval(root)
    }
}

struct CELEvaluator {
    let variables: [String: CELValue]
    let patterns: CompiledPatterns

    func noOverload(_ op: String, _ values: [CELValue], at offset: Int) -> CELError {
        CELError("no matching overload for \(op) on (\(values.map(\.typeName).joined(separator: ", ")))", at: offset)
    }

    func eval(_ node: CELNode) throws(CELError) -> CELValue {
        switch node {
        case .literal(let value, _): return value
        case .identifier(let name, let at):
            guard let value = variables[name] else { throw CELError("undeclared reference to '\(name)'", at: at) }
            return value
        case .select(let target, let field, let at):
            let value = try eval(target)
            guard case .map(let fields) = value else {
                throw CELError("cannot select '\(field)' from \(value.typeName)", at: at)
            }
            guard let found = fields[.string(field)] else { throw CELError("no such key: '\(field)'", at: at) }
            return found
        case .has(let target, let field, let at):
            let value = try eval(target)
            guard case .map(let fields) = value else {
                throw CELError("has() needs a map, found \(value.typeName)", at: at)
            }
            return .bool(fields[.string(field)] != nil)
        case .index(let target, let index, let at):
            return try element(try eval(target), try eval(index), at: at)
        case .list(let items, _):
            var values: [CELValue] = []
            for item in items { values.append(try eval(item)) }
            return .list(values)
        case .map(let entries, let at):
            var fields: [CELKey: CELValue] = [:]
            for (keyNode, valueNode) in entries {
                let key = try eval(keyNode)
                guard let mapKey = CELKey(key), !(key.typeName == "double") else {
                    throw CELError("a map key must be int, string or bool, found \(key.typeName)", at: keyNode.offset)
                }
                guard fields[mapKey] == nil else { throw CELError("duplicate map key", at: at) }
                fields[mapKey] = try eval(valueNode)
            }
            return .map(fields)
        case .unary(let op, let operand, let at):
            let value = try eval(operand)
            switch (op, value) {
            case ("!", .bool(let b)): return .bool(!b)
            case ("-", .int(let i)):
                guard i != .min else { throw CELError("integer overflow", at: at) }
                return .int(-i)
            case ("-", .double(let d)): return .double(-d)
            default: throw noOverload(op, [value], at: at)
            }
        case .conditional(let condition, let then, let otherwise, let at):
            switch try eval(condition) {
            case .bool(true): return try eval(then)
            case .bool(false): return try eval(otherwise)
            case let other: throw noOverload("?:", [other], at: at)
            }
        case .binary("&&", let left, let right, let at): return try logical(left, right, absorbing: false, at: at)
        case .binary("||", let left, let right, let at): return try logical(left, right, absorbing: true, at: at)
        case .binary(let op, let left, let right, let at):
            return try binary(op, try eval(left), try eval(right), at: at)
        case .call(let name, let target, let args, let at):
            // The subset's functions take one or two values; the common shapes skip building an array.
            switch (target, args.count) {
            case (nil, 1): return try call(name, try eval(args[0]), nil, at: at)
            case (let target?, 0): return try call(name, try eval(target), nil, at: at)
            case (let target?, 1): return try call(name, try eval(target), try eval(args[0]), at: at)
            case (nil, 2): return try call(name, try eval(args[0]), try eval(args[1]), at: at)
            default:
                var values: [CELValue] = []
                if let target { values.append(try eval(target)) }
                for arg in args { values.append(try eval(arg)) }
                throw noOverload(name + "()", values, at: at)
            }
        }
    }

    /// CEL's `&&` / `||`: the deciding value (false for &&, true for ||) wins on
    /// either side, even over an error on the other; otherwise an error stands.
    func logical(_ left: CELNode, _ right: CELNode, absorbing decisive: Bool, at: Int) throws(CELError) -> CELValue {
        let op = decisive ? "||" : "&&"
        func side(_ node: CELNode) -> Result<Bool, CELError> {
            do {
                switch try eval(node) {
                case .bool(let b): return .success(b)
                case let other: return .failure(noOverload(op, [other], at: at))
                }
            } catch { return .failure(error) }
        }
        let l = side(left)
        if case .success(decisive) = l { return .bool(decisive) }
        let r = side(right)
        if case .success(decisive) = r { return .bool(decisive) }
        if case .failure(let error) = l { throw error }
        if case .failure(let error) = r { throw error }
        return .bool(!decisive)
    }

    func element(_ target: CELValue, _ index: CELValue, at: Int) throws(CELError) -> CELValue {
        switch (target, index) {
        case (.list(let items), .int(let i)):
            guard i >= 0, i < items.count else {
                throw CELError("index \(i) out of range (size \(items.count))", at: at)
            }
            return items[Int(i)]
        case (.list(let items), .double(let d)):
            guard let i = Int(exactly: d) else { throw noOverload("[]", [target, index], at: at) }
            guard i >= 0, i < items.count else {
                throw CELError("index \(i) out of range (size \(items.count))", at: at)
            }
            return items[i]
        case (.map(let fields), _):
            guard let key = CELKey(index) else { throw noOverload("[]", [target, index], at: at) }
            guard let found = fields[key] else { throw CELError("no such key: \(index.display)", at: at) }
            return found
        default: throw noOverload("[]", [target, index], at: at)
        }
    }

    func binary(_ op: String, _ l: CELValue, _ r: CELValue, at: Int) throws(CELError) -> CELValue {
        switch op {
        case "==": return .bool(l.celEquals(r))
        case "!=": return .bool(!l.celEquals(r))
        case "<", "<=", ">", ">=":
            guard let order = compare(l, r) else { throw noOverload(op, [l, r], at: at) }
            switch op {
            case "<": return .bool(order == .less)
            case "<=": return .bool(order != .greater && order != .unordered)
            case ">": return .bool(order == .greater)
            default: return .bool(order != .less && order != .unordered)
            }
        case "in":
            switch r {
            case .list(let items): return .bool(items.contains { $0.celEquals(l) })
            case .map(let fields): return .bool(CELKey(l).map { fields[$0] != nil } ?? false)
            default: throw noOverload("in", [l, r], at: at)
            }
        default: return try arithmetic(op, l, r, at: at)
        }
    }

    enum Order { case less, equal, greater, unordered }

    /// Ordering: numbers across int and double by value, strings by code point, bools false < true.
    func compare(_ l: CELValue, _ r: CELValue) -> Order? {
        func order<T: Comparable>(_ a: T, _ b: T) -> Order { a < b ? .less : a > b ? .greater : .equal }
        switch (l, r) {
        case (.int(let a), .int(let b)): return order(a, b)
        case (.double(let a), .double(let b)): return a.isNaN || b.isNaN ? .unordered : order(a, b)
        case (.int(let a), .double(let b)): return b.isNaN ? .unordered : Self.compare(a, b)
        case (.double(let a), .int(let b)):
            guard !a.isNaN else { return .unordered }
            switch Self.compare(b, a) {
            case .less: return .greater
            case .greater: return .less
            default: return .equal
            }
        case (.string(let a), .string(let b)):
            let x = a.unicodeScalars.map(\.value), y = b.unicodeScalars.map(\.value)
            return x == y ? .equal : x.lexicographicallyPrecedes(y) ? .less : .greater
        case (.bool(let a), .bool(let b)): return order(a ? 1 : 0, b ? 1 : 0)
        default: return nil
        }
    }

    /// An int against a double without rounding the int.
    static func compare(_ a: Int64, _ b: Double) -> Order {
        if b >= 9.3e18 { return .less }
        if b <= -9.3e18 { return .greater }
        let whole = b.rounded(.down)
        let i = Int64(whole)
        if a < i { return .less }
        if a > i { return .greater }
        return b > whole ? .less : .equal
    }

    func arithmetic(_ op: String, _ l: CELValue, _ r: CELValue, at: Int) throws(CELError) -> CELValue {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            let result: (Int64, Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                guard b != 0 else { throw CELError("division by zero", at: at) }
                result = a.dividedReportingOverflow(by: b)
            case "%":
                guard b != 0 else { throw CELError("modulus by zero", at: at) }
                result = a.remainderReportingOverflow(dividingBy: b)
            default: throw noOverload(op, [l, r], at: at)
            }
            guard !result.1 else { throw CELError("integer overflow", at: at) }
            return .int(result.0)
        case (.double(let a), .double(let b)):
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: throw noOverload(op, [l, r], at: at)
            }
        case (.string(let a), .string(let b)) where op == "+": return .string(a + b)
        case (.list(let a), .list(let b)) where op == "+": return .list(a + b)
        default: throw noOverload(op, [l, r], at: at)
        }
    }

    func call(_ name: String, _ first: CELValue, _ second: CELValue?, at: Int) throws(CELError) -> CELValue {
        switch (name, first, second) {
        case ("size", .string(let s), nil): return .int(Int64(s.unicodeScalars.count))
        case ("size", .list(let l), nil): return .int(Int64(l.count))
        case ("size", .map(let m), nil): return .int(Int64(m.count))
        case ("startsWith", .string(let s), .string(let p)?):
            return .bool(s.unicodeScalars.starts(with: p.unicodeScalars))
        case ("endsWith", .string(let s), .string(let p)?):
            return .bool(s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed()))
        case ("contains", .string(let s), .string(let p)?): return .bool(p.isEmpty || s.contains(p))
        case ("matches", .string, .string("")?): return .bool(true)  // the empty pattern matches anywhere
        case ("matches", .string(let s), .string(let pattern)?):
            guard let regex = patterns.byPattern[pattern] ?? CompiledPatterns.compile(pattern) else {
                throw CELError("invalid regular expression '\(pattern)'", at: at)
            }
            return .bool(regex.matches(s))
        default: throw noOverload(name + "()", [first] + (second.map { [$0] } ?? []), at: at)
        }
    }
}

extension CELValue {
    /// As CEL would write it, for messages.
    public var display: String {
        switch self {
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): "'\(s)'"
        case .bool(let b): "\(b)"
        case .null: "null"
        case .list(let items): "[" + items.map(\.display).joined(separator: ", ") + "]"
        case .map(let fields):
            "{" + fields.map { "\($0.key.value.display): \($0.value.display)" }.sorted().joined(separator: ", ") + "}"
        }
    }
}
