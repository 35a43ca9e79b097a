import FoundationEssentials

/// The desired state of one revision: environments and their resources.
public struct DesiredState: Sendable {
    public var environments: [Environment]

    public init(environments: [Environment]) {
        self.environments = environments
    }

    public var resourceCount: Int { environments.reduce(0) { $0 + $1.resources.count } }

    /// Only the resources `keys` names, in environments that keep at least one.
    public func keeping(_ keys: Set<ResourceKey>) -> DesiredState {
        var kept = self
        for index in kept.environments.indices {
            kept.environments[index].resources.removeAll { !keys.contains($0.key) }
        }
        kept.environments.removeAll { $0.resources.isEmpty }
        return kept
    }
}

/// One folder under `desired-state/`.
public struct Environment: Sendable {
    public var name: String
    public var region: String
    /// Account guard: plan and apply refuse to run against another account.
    public var account: String?
    public var changeWindows: [ChangeWindow]
    /// DynamoDB table that holds apply locks and the journal, if the team shares one.
    public var lockTable: String?
    /// The role the environment's reads and writes use, if not the chain's own identity.
    public var assumeRole: RoleToAssume?
    /// Terraform states that may manage this environment's resources (paths from the repository root, or s3://).
    public var terraformStates: [String]
    /// CloudFormation stacks that may own this environment's resources (named, so a run reads only them).
    public var cloudFormationStacks: [String]
    /// Wildcards and escalating actions a registry schema's handlers ask for that `iam-policy` may grant
    /// (`SchemaPermissions`); any other handler action is granted as asked.
    public var schemaPermissions: Set<String> = []
    /// `rotationGrace`: how long past due a rotation may be before it is overdue (default a day).
    public var rotationGrace: TimeInterval = 86_400
    public var resources: [DesiredResource]
    /// The environment.yaml file.
    public var source: SourceLocation

    public init(name: String, region: String, account: String? = nil, changeWindows: [ChangeWindow] = [],
                lockTable: String? = nil, assumeRole: RoleToAssume? = nil, terraformStates: [String] = [],
                cloudFormationStacks: [String] = [],
                resources: [DesiredResource] = [], source: SourceLocation) {
        self.terraformStates = terraformStates
        self.assumeRole = assumeRole
        self.cloudFormationStacks = cloudFormationStacks
        self.name = name
        self.region = region
        self.account = account
        self.changeWindows = changeWindows
        self.lockTable = lockTable
        self.resources = resources
        self.source = source
    }
}

/// How a resource is found: its physical id, or a CloudFormation stack's logical id.
public enum ResourceIdentity: Sendable, Hashable, CustomStringConvertible {
    case id(String)
    case ref(stack: String, logicalId: String)
    /// `ref: {stack, output}`: the id is the value of one of the stack's outputs.
    case output(stack: String, key: String)

    /// The stack a `ref` names, if any.
    public var stack: String? {
        switch self {
        case .id: return nil
        case .ref(let stack, _), .output(let stack, _): return stack
        }
    }

    public var description: String {
        switch self {
        case .id(let id): return id
        case .ref(let stack, let logicalId): return "\(stack)/\(logicalId) (CloudFormation)"
        case .output(let stack, let key): return "\(stack) output \(key) (CloudFormation)"
        }
    }
}

/// A resource the repository owns some properties of.
public struct DesiredResource: Sendable {
    public var type: String
    public var identity: ResourceIdentity
    /// Effective region: the resource's own `region:` or its environment's.
    public var region: String
    public var environment: String
    /// Declared properties, by top-level name.
    public var properties: [String: Expectation]
    /// Where the resource starts (its `- type:` line).
    public var source: SourceLocation
    /// Where each declared property path (`/ProvisionedThroughput/ReadCapacityUnits`) was written.
    public var propertySources: [String: SourceLocation]
    /// Its kind, resolved once when the revision was decoded (of `type`); nil only for a resource read
    /// back from a report, of a type this build may not know.
    public var kind: AnyResourceKind?

    public init(type: String, identity: ResourceIdentity, region: String, environment: String,
                properties: [String: Expectation], source: SourceLocation,
                propertySources: [String: SourceLocation] = [:], kind: AnyResourceKind? = nil) {
        self.kind = kind
        self.type = type
        self.identity = identity
        self.region = region
        self.environment = environment
        self.properties = properties
        self.source = source
        self.propertySources = propertySources
    }

    /// Every declared leaf, by property path, in path order.
    public var leaves: [(path: String, expectation: Expectation)] {
        properties.flatMap { Expectation.leaves(of: $0.value, at: PropertyPath.appending("", $0.key)) }
            .sorted { $0.path < $1.path }
    }

    /// The expectation at a path such as `/ProvisionedThroughput/ReadCapacityUnits`.
    public func expectation(at path: String) -> Expectation? {
        var parts = PropertyPath.segments(path)[...]
        guard let first = parts.popFirst(), var current = properties[first] else { return nil }
        for part in parts {
            guard case .object(let fields) = current, let next = fields[part] else { return nil }
            current = next
        }
        return current
    }

    /// The fixed value at a path, when it is declared as one value (not a range).
    public func exactValue(at path: String) -> Value? {
        if case .exact(let v) = expectation(at: path) { return v }
        return nil
    }

    public func location(of path: String) -> SourceLocation {
        propertySources[path] ?? source
    }
}

/// What the repository says a property should be.
public indirect enum Expectation: Sendable, Hashable {
    case exact(Value)
    /// Something else (an autoscaler, a person within limits) may move it inside the range.
    case range(ValueRange)
    /// A nested object (`ProvisionedThroughput`) whose declared fields are compared one by one.
    case object([String: Expectation])

    var hasRange: Bool {
        switch self {
        case .exact: false
        case .range: true
        case .object(let fields): fields.values.contains(where: \.hasRange)
        }
    }

    static func leaves(of e: Expectation, at path: String) -> [(path: String, expectation: Expectation)] {
        if case .object(let fields) = e {
            return fields.flatMap { leaves(of: $0.value, at: PropertyPath.appending(path, $0.key)) }
        }
        return [(path, e)]
    }
}

/// `within: [lo, hi]`, `atLeast: lo`, `atMost: hi`. Bounds are inclusive.
public struct ValueRange: Sendable, Hashable, CustomStringConvertible {
    public var lower: Value?
    public var upper: Value?

    public init(lower: Value?, upper: Value?) {
        self.lower = lower
        self.upper = upper
    }

    public func contains(_ value: Value) -> Bool {
        guard let x = value.number else { return false }
        if let lo = lower?.number, x < lo { return false }
        if let hi = upper?.number, x > hi { return false }
        return true
    }

    /// The nearest bound for an out-of-range value: where a plan moves it.
    public func nearestBound(to value: Value) -> Value? {
        guard let x = value.number else { return lower ?? upper }
        if let lo = lower, let l = lo.number, x < l { return lo }
        if let hi = upper, let h = hi.number, x > h { return hi }
        return nil
    }

    public var description: String {
        switch (lower, upper) {
        case let (lo?, hi?): return "within [\(lo), \(hi)]"
        case let (lo?, nil): return "at least \(lo)"
        case let (nil, hi?): return "at most \(hi)"
        case (nil, nil): return "any"
        }
    }
}
