/// A value inside the CEL subset ballast evaluates: int, double, string,
/// bool, null, list and map (keys int, string or bool).
public enum CELValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    case null
    case list([CELValue])
    case map([CELKey: CELValue])

    public var typeName: String {
        switch self {
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .bool: "bool"
        case .null: "null_type"
        case .list: "list"
        case .map: "map"
        }
    }

    /// From a desired-state or JSON value.
    public init(_ value: Value) {
        switch value {
        case .int(let i): self = .int(Int64(i))
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        case .null: self = .null
        case .list(let items): self = .list(items.map(CELValue.init))
        case .map(let fields):
            self = .map(Dictionary(uniqueKeysWithValues: fields.map { (CELKey.string($0.key), CELValue($0.value)) }))
        }
    }

    /// CEL equality: numbers by value across int and double, lists and maps
    /// element by element, values of different types unequal.
    public func celEquals(_ other: CELValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b && b.isFinite && Int64(exactly: b) == a
        // Code point by code point: CEL does not normalise Unicode.
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.celEquals($1) }
        case (.map(let a), .map(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.celEquals($0) } ?? false }
        default: return self == other
        }
    }
}

/// A map key. CEL allows int, uint, string and bool keys; ballast's subset has no uint.
public enum CELKey: Sendable, Hashable {
    case int(Int64)
    case string(String)
    case bool(Bool)

    init?(_ value: CELValue) {
        switch value {
        case .int(let i): self = .int(i)
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        case .double(let d):
            guard let i = Int64(exactly: d) else { return nil }
            self = .int(i)
        default: return nil
        }
    }

    var value: CELValue {
        switch self {
        case .int(let i): .int(i)
        case .string(let s): .string(s)
        case .bool(let b): .bool(b)
        }
    }
}

/// A failed evaluation or parse, at an offset (in characters) inside the expression.
public struct CELError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at column \(offset + 1) of the expression)" }
}
