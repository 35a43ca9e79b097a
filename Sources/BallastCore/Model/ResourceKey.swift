/// One live resource as ballast addresses it: in an environment, of a CloudFormation type,
/// by the id AWS knows it by, in a region. The applier, verifier, ownership, the saved-plan
/// check, the journal and shards all key resources by this one value.
public struct ResourceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let environment: String
    public let type: String
    /// The physical id (`/aws/lambda/people-count`), or the identity's text while it is unresolved.
    public let id: String
    public let region: String

    public init(environment: String, type: String, id: String, region: String) {
        self.environment = environment
        self.type = type
        self.id = id
        self.region = region
    }

    /// `prod AWS::Logs::LogGroup /aws/x (us-east-1)`.
    public var description: String { "\(environment) \(type) \(id) (\(region))" }

    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool {
        (lhs.environment, lhs.type, lhs.id, lhs.region) < (rhs.environment, rhs.type, rhs.id, rhs.region)
    }
}

public extension DesiredResource {
    /// The resource as declared: its id is the identity's text until a `ref` is resolved.
    var key: ResourceKey { ResourceKey(environment: environment, type: type, id: identity.description, region: region) }
}

public extension PlannedChange {
    var key: ResourceKey { ResourceKey(environment: environment, type: type, id: id, region: region) }
}

public extension ResourceDrift {
    var key: ResourceKey {
        ResourceKey(environment: resource.environment, type: resource.type, id: displayId, region: resource.region)
    }
}
