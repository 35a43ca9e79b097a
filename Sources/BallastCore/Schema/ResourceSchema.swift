/// What the desired state may say about one CloudFormation resource type:
/// its properties and their types, the shape of its id, and the checks that
/// span several properties. Each resource kind supplies one.
public struct ResourceSchema: Sendable {
    public let type: String
    public let properties: ObjectSchema
    /// Shape of the physical id (`cluster/service`), when AWS imposes one.
    public let idFormat: StringFormat?
    /// Checks across properties (MinSize <= MaxSize); they see only fixed values.
    public let checks: @Sendable (DesiredResource) -> [Diagnostic]
    /// Property paths AWS may leave unset, where an explicit YAML `null` means "must be unset"
    /// (`RetentionInDays: null`: a log group that never expires), with what unset means, in words.
    public let unsettable: [String: String]

    public init(type: String, properties: ObjectSchema, idFormat: StringFormat? = nil,
                unsettable: [String: String] = [:],
                checks: @escaping @Sendable (DesiredResource) -> [Diagnostic] = { _ in [] }) {
        self.type = type
        self.properties = properties
        self.idFormat = idFormat
        self.unsettable = unsettable
        self.checks = checks
    }
}

/// Small building blocks for cross-property checks.
public enum Check {
    /// `lower <= upper` when both are fixed numbers.
    public static func ordered(_ r: DesiredResource, _ lower: String, _ upper: String) -> [Diagnostic] {
        guard let lo = r.exactValue(at: lower)?.number, let hi = r.exactValue(at: upper)?.number, lo > hi else {
            return []
        }
        return [Diagnostic(r.location(of: lower),
                           "\(name(lower)) (\(fmt(lo))) must not exceed \(name(upper)) (\(fmt(hi)))")]
    }

    /// A fixed value must lie inside the fixed bounds of two other properties.
    public static func between(_ r: DesiredResource, _ path: String, _ lower: String,
                               _ upper: String) -> [Diagnostic] {
        guard let x = r.exactValue(at: path)?.number, let lo = r.exactValue(at: lower)?.number,
            let hi = r.exactValue(at: upper)?.number, lo <= hi, x < lo || x > hi
        else { return [] }
        return [
            Diagnostic(
                r.location(of: path),
                "\(name(path)) (\(fmt(x))) must be between \(name(lower)) (\(fmt(lo))) and \(name(upper)) (\(fmt(hi)))"
            )
        ]
    }

    /// Two properties that must not both be declared.
    public static func exclusive(_ r: DesiredResource, _ a: String, _ b: String) -> [Diagnostic] {
        guard r.expectation(at: a) != nil, r.expectation(at: b) != nil else { return [] }
        return [Diagnostic(r.location(of: b), "\(name(b)) cannot be combined with \(name(a))")]
    }

    /// `/Rules` -> `Rules`, `/A/B` -> `A.B`: a path as messages name it (`PropertyPath.readable`).
    public static func name(_ path: String) -> String {
        PropertyPath.readable(path)
    }

    static func fmt(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}
