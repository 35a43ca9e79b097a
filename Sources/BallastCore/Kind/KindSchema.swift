import FoundationEssentials

/// Everything about one resource kind that needs no AWS call: what the desired state may
/// say (properties, types, ranges, id shape), how live values compare, the operations it
/// reads and writes with (and so its IAM permissions and rates), its CloudFormation and
/// Terraform names, and which writes fix a drift. `validate`, policies, import and the plan
/// check use it alone; the kind's reader and writer (BallastKinds) do the I/O.
public struct KindSchema: Sendable {
    /// What the desired state may say.
    public let resource: ResourceSchema
    public let permissions: KindPermissions
    /// The Terraform AWS provider's resource for this kind, for ownership and import.
    public let terraform: TerraformMapping
    public let comparison: ComparisonRules
    /// How the kind reads and writes: its own code, or Cloud Control's.
    public let via: KindPath
    /// The other calls that change what the kind owns, or delete the resource (`SetDesiredCapacity`,
    /// `DeleteLogGroup`): never made by ballast, so never granted; what `watch --events` listens for
    /// besides the kind's own writes.
    public let changedBy: [APIOperation]
    /// The changes of its properties that delete data or turn a control off (spec section 8, "Risk"),
    /// each with its reason and AWS's page: what a plan marks `risk: destructive`.
    public let destructive: [DestructiveChange]
    /// Its capacities, each with the metric that says what it carries: a plan that lowers one reads the
    /// metric first (spec section 8, "guard").
    public let guards: [LoadGuard]
    /// Whether a rotation it configures really happened, from what its read gave (the live values, and
    /// facts such as `LastRotatedDate` that no one declares), the environment's grace and the time.
    public let rotation: (@Sendable (_ live: [String: Value], _ grace: TimeInterval, _ now: Date) -> Rotation?)?
    let plannedReads: @Sendable ([LiveTarget]) -> [APIOperation: Int]
    let changes: @Sendable (ResourceDrift) -> [PlannedChange]
    let normalize: @Sendable ([String: Value], DesiredResource) -> [String: Value]
    let idFromPhysicalId: @Sendable (String) -> String

    /// - Parameters:
    ///   - plannedReads: the fewest calls the reader makes for these targets, by operation
    ///     (`--dry-run-reads`): what the batch sizes allow, before any paging the answers may need.
    ///   - changes: the writes that fix a MODIFIED resource, as few as the APIs allow; each names
    ///     one of `permissions.write`.
    ///   - normalize: live values seen the way the desired state means them, where AWS fills in
    ///     what the repository leaves to it (an S3 rule's generated Id).
    ///   - idFromPhysicalId: the id ballast uses for a CloudFormation physical id
    ///     (an ECS service ARN -> `cluster/service`).
    public init(_ resource: ResourceSchema, permissions: KindPermissions, terraform: TerraformMapping,
                comparison: ComparisonRules = .plain, via: KindPath = .native, changedBy: [APIOperation] = [],
                destructive: [DestructiveChange] = [], guards: [LoadGuard] = [],
                rotation: (@Sendable ([String: Value], TimeInterval, Date) -> Rotation?)? = nil,
                plannedReads: @escaping @Sendable ([LiveTarget]) -> [APIOperation: Int],
                changes: @escaping @Sendable (ResourceDrift) -> [PlannedChange],
                normalize: @escaping @Sendable ([String: Value], DesiredResource) -> [String: Value]
                    = { live, _ in live },
                idFromPhysicalId: @escaping @Sendable (String) -> String = { $0 }) {
        self.resource = resource
        self.permissions = permissions
        self.terraform = terraform
        self.comparison = comparison
        self.via = via
        self.changedBy = changedBy
        self.destructive = destructive
        self.guards = guards
        self.rotation = rotation
        self.plannedReads = plannedReads
        self.changes = changes
        self.normalize = normalize
        self.idFromPhysicalId = idFromPhysicalId
    }

    /// `AWS::Logs::LogGroup`.
    public var type: String { resource.type }

    /// The writes a plan may name for this kind.
    public var writes: [APIOperation] { permissions.write }

    /// Every call that changes what the kind owns: its writes, and the others that do (`changedBy`).
    public var watched: [APIOperation] { writes + changedBy }

    public func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] { plannedReads(targets) }

    public func changes(for drift: ResourceDrift) -> [PlannedChange] { changes(drift) }

    public func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] {
        normalize(live, resource)
    }

    public func id(fromPhysicalId physicalId: String) -> String { idFromPhysicalId(physicalId) }

    /// The write a plan file's `call` names, when this kind makes it.
    public func write(call: String) -> APIOperation? { writes.first { $0.call == call } }
}

/// How a kind reads and writes (the JSON report's `via`).
public enum KindPath: String, Sendable {
    /// Its own code, with the service's batched reads.
    case native
    /// The Cloud Control API: one `GetResource` a resource.
    case cloudControl = "cloudcontrol"
}

/// The schemas of every kind a build knows, by CloudFormation type: handed to whatever needs
/// them, never reached through a static.
public struct KindSchemas: Sendable {
    public let all: [KindSchema]
    let byType: [String: Int]
    /// The schema of a type no kind covers, from its registry schema (Cloud Control's), when the
    /// build has a way to read such types.
    let anyType: (@Sendable (RegistrySchema) -> KindSchema)?

    public init(_ all: [KindSchema], anyType: (@Sendable (RegistrySchema) -> KindSchema)? = nil) {
        self.all = all
        self.anyType = anyType
        byType = Dictionary(all.enumerated().map { ($1.type, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// These schemas and, for each registry schema of a type none of them covers, that type's:
    /// a type with a native kind always keeps it.
    public func adding(_ registry: [RegistrySchema]) -> KindSchemas {
        guard let anyType else { return self }
        let extra = registry.filter { self[type: $0.typeName] == nil }.map(anyType)
        return extra.isEmpty ? self : KindSchemas(all + extra, anyType: anyType)
    }

    public subscript(type type: String) -> KindSchema? { byType[type].map { all[$0] } }

    /// The kind a Terraform AWS provider resource type maps onto.
    public func kind(terraformType: String) -> KindSchema? {
        all.first { $0.terraform.resourceType == terraformType }
    }

    public var types: [String] { all.map(\.type) }

    /// What the desired state may say, for the decoder.
    public var resources: [ResourceSchema] { all.map(\.resource) }

    /// The write a plan file's change names (its `type` and `call`), when its kind makes it.
    public func write(type: String, call: String) -> APIOperation? { self[type: type]?.write(call: call) }

    /// The write a saved change names, or, when no kind of this build makes it, the call as it was
    /// written: kept, so the saved-plan check refuses it by name and a merge never drops it.
    public func writeOrRecorded(type: String, call: String) -> APIOperation {
        write(type: type, call: call) ?? APIOperation(recordedCall: call)
    }
}
