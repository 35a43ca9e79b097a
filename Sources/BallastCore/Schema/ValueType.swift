/// The type a property's value must have. Numeric types accept ranges.
public indirect enum ValueType: Sendable {
    case integer(ClosedRange<Int>)
    /// An integer from a fixed set (CloudWatch Logs retention days).
    case integerIn([Int])
    /// A number inside bounds (finite always: YAML's `.nan` and `.inf` are refused).
    case number(ClosedRange<Double>)
    case boolean
    case string(StringFormat?)
    case oneOf([String])
    case list(ValueType, maxCount: Int?)
    /// A map of string keys (alarm `Dimensions`).
    case map(ValueType)
    case object(ObjectSchema)
    /// Any JSON value, compared whole: what a registry schema leaves open (`["object", "string"]`).
    case any

    public static let nonNegative = ValueType.integer(0...Int.max)
    public static let positive = ValueType.integer(1...Int.max)
    public static let text = ValueType.string(nil)
    /// Any finite number.
    public static let number = ValueType.number(-Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)

    public var acceptsRanges: Bool {
        switch self {
        case .integer, .integerIn, .number: return true
        default: return false
        }
    }

    /// Words for "expected ..." messages.
    public var name: String {
        switch self {
        case .integer(let r):
            if r == Int.min...Int.max { return "an integer" }
            if r.lowerBound == Int.min { return "an integer <= \(r.upperBound)" }
            if r.upperBound == Int.max {
                return r.lowerBound == 0 ? "a non-negative integer" : "an integer >= \(r.lowerBound)"
            }
            return "an integer from \(r.lowerBound) to \(r.upperBound)"
        case .integerIn: return "an integer"
        case .number(let r):
            let (lo, hi) = (r.lowerBound, r.upperBound)
            let unbounded = (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude)
            if lo == unbounded.0, hi == unbounded.1 { return "a number" }
            if hi == unbounded.1 { return "a number >= \(Check.fmt(lo))" }
            if lo == unbounded.0 { return "a number <= \(Check.fmt(hi))" }
            return "a number from \(Check.fmt(lo)) to \(Check.fmt(hi))"
        case .boolean: return "true or false"
        case .string(let f): return f.map { "a string (\($0.description))" } ?? "a string"
        case .oneOf(let options): return "one of " + options.joined(separator: ", ")
        case .list(let t, _): return "a list of \(t.name.droppingArticle)s"
        case .map: return "a map"
        case .object: return "a mapping"
        case .any: return "any value"
        }
    }
}

public extension ValueType {
    /// A live value cut to what this type can say: an object's unknown fields dropped, at any
    /// depth, and whatever is not of the type (a nested map where text goes) left out (nil).
    /// What `import` writes, so an adopted resource names only what ballast owns.
    func project(_ value: Value) -> Value? {
        switch (self, value) {
        case (.any, _): return value
        case (.object(let schema), .map(let fields)): return .map(schema.project(fields))
        case (.list(let element, _), .list(let items)): return .list(items.compactMap(element.project))
        case (.map(let element), .map(let fields)): return .map(fields.compactMapValues(element.project))
        case (.integer, .int), (.integerIn, .int), (.number, .int), (.number, .double), (.boolean, .bool),
             (.string, .string), (.oneOf, .string): return value
        case (.integer, .double(let d)), (.integerIn, .double(let d)):
            return d == d.rounded() ? Int(exactly: d).map(Value.int) : nil
        default: return nil
        }
    }
}

/// A string shape with a human description (`hh24:mi-hh24:mi`).
public struct StringFormat: Sendable {
    public let description: String
    public let matches: @Sendable (String) -> Bool

    public init(_ description: String, matches: @escaping @Sendable (String) -> Bool) {
        self.description = description
        self.matches = matches
    }
}

/// Named fields of a nested object, in declaration order.
public struct ObjectSchema: Sendable {
    public let fields: [(name: String, type: ValueType)]

    public init(_ fields: [(String, ValueType)]) {
        self.fields = fields.map { (name: $0.0, type: $0.1) }
    }

    public subscript(name: String) -> ValueType? {
        fields.first { $0.name == name }?.type
    }

    public var names: [String] { fields.map(\.name) }

    /// The fields this schema names, each cut to its type (`ValueType.project`).
    public func project(_ value: [String: Value]) -> [String: Value] {
        var kept: [String: Value] = [:]
        for field in fields {
            if let present = value[field.name], let projected = field.type.project(present) {
                kept[field.name] = projected
            }
        }
        return kept
    }
}

private extension String {
    var droppingArticle: String {
        for article in ["an ", "a "] where hasPrefix(article) { return String(dropFirst(article.count)) }
        return self
    }
}
