/// How one Terraform AWS provider resource type maps onto a kind: the id ballast
/// uses, and each owned CloudFormation property path from which attribute. Each
/// kind declares its own table next to its reader and writer.
public struct TerraformMapping: Sendable {
    public struct Property: Sendable {
        /// `/ProvisionedThroughput/ReadCapacityUnits`.
        public var path: String
        /// `read_capacity`; a nested block's field as `point_in_time_recovery.0.enabled`.
        public var attribute: String
        /// The provider's value as CloudFormation's; nil drops it (a retention of 0 is "never expire").
        public var convert: @Sendable (Value) -> Value?

        public init(_ path: String, _ attribute: String, convert: @escaping @Sendable (Value) -> Value? = { $0 }) {
            self.path = path
            self.attribute = attribute
            self.convert = convert
        }
    }

    /// `aws_cloudwatch_log_group`.
    public var resourceType: String
    /// The id ballast uses, from the attributes.
    public var id: @Sendable ([String: Value]) -> String?
    public var properties: [Property]

    public init(_ resourceType: String, id: @escaping @Sendable ([String: Value]) -> String?,
                _ properties: [Property]) {
        self.resourceType = resourceType
        self.id = id
        self.properties = properties
    }

    /// The id from one attribute.
    public init(_ resourceType: String, idAttribute: String, _ properties: [Property]) {
        self.init(resourceType, id: { $0[idAttribute]?.string }, properties)
    }

    /// The attribute's value at a dotted path through maps and lists (`ttl.0.enabled`).
    public static func attribute(_ path: String, in attributes: [String: Value]) -> Value? {
        var current: Value? = .map(attributes)
        for part in path.split(separator: ".") {
            if let index = Int(part) { current = current?[index] } else { current = current?[String(part)] }
        }
        return current
    }

    /// The owned properties the attributes set, nested as CloudFormation nests them.
    public func properties(from attributes: [String: Value]) -> [String: Value] {
        var out: Value = .map([:])
        for property in properties {
            guard let raw = Self.attribute(property.attribute, in: attributes), raw != .null,
                  let value = property.convert(raw) else { continue }
            out = Self.setting(value, at: PropertyPath.segments(property.path), in: out)
        }
        guard case .map(let map) = out else { return [:] }
        return map
    }

    static func setting(_ value: Value, at path: [String], in container: Value) -> Value {
        guard let first = path.first else { return value }
        guard case .map(var map) = container else { return container }
        map[first] = setting(value, at: Array(path.dropFirst()), in: map[first] ?? .map([:]))
        return .map(map)
    }

    /// The attribute that holds a property path, if the table maps it.
    public func attribute(for path: String) -> String? {
        properties.first { $0.path == path || path.hasPrefix($0.path + "/") }?.attribute
    }
}

/// Conversions the provider's values need.
public enum TerraformValue {
    /// Drops a value that stands for "not set" (retention 0, reserved concurrency -1).
    public static func unless(_ unset: Value) -> @Sendable (Value) -> Value? { { $0 == unset ? nil : $0 } }


    /// A set or list attribute kept as a list (alarm actions).
    public static let list: @Sendable (Value) -> Value? = { value in
        if case .list = value { return value }
        return nil
    }
}
