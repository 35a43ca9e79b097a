/// One declared resource: in an environment, of a CloudFormation type, in a region, by the id it
/// is declared with. Desired resources, drift results, planned changes, policy subjects, shards,
/// comment rows, the applier, the verifier, ownership, the saved-plan check and the journal all
/// key resources by this one value. The physical id a `ref` resolves to is kept apart, beside it
/// (`ResourceDrift.physicalId`, `PlannedChange.id`): two declarations are two keys even when one
/// name is declared in two regions.
public struct ResourceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let environment: String
    public let type: String
    /// The identity as declared: a name (`/aws/lambda/people-count`), or a `ref`'s text.
    public let id: String
    public let region: String

    public init(environment: String, type: String, id: String, region: String) {
        self.environment = environment
        self.type = type
        self.id = id
        self.region = region
    }

    /// Its four parts joined by NUL, which none of them holds: what a shard hashes.
    public var text: String { [environment, type, region, id].joined(separator: "\u{0}") }

    /// `prod AWS::Logs::LogGroup /aws/x (us-east-1)`.
    public var description: String { "\(environment) \(type) \(id) (\(region))" }

    public static func < (lhs: ResourceKey, rhs: ResourceKey) -> Bool {
        (lhs.environment, lhs.type, lhs.id, lhs.region) < (rhs.environment, rhs.type, rhs.id, rhs.region)
    }
}

public extension DesiredResource {
    /// The resource as declared: its id is the identity's text until a `ref` is resolved.
    var key: ResourceKey {
        ResourceKey(environment: environment, type: type, id: identity.description, region: region)
    }
}

public extension ResourceDrift {
    var key: ResourceKey {
        resource.key
    }
}
