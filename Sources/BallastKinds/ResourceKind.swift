import BallastCore

/// One AWS resource type ballast manages, declared in one file: its schema (a value with no
/// I/O: properties, comparison, operations, permissions, Terraform mapping, which writes fix a
/// drift) and its reads and writes, made through the client it is handed.
public protocol ResourceKind: Sendable {
    static var schema: KindSchema { get }

    /// Reads these resources (all of this kind, in the client's region) with
    /// the fewest calls the APIs allow. Every target gets an answer, keyed by id.
    static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead]

    /// Performs one planned change, one of `schema.writes`. Every write sets absolute values,
    /// so repeating it is safe.
    static func apply(_ change: PlannedChange, with client: any AWSAPI) async throws

    /// The ids of every resource of this kind whose id starts with `prefix` (for `import --id GLOB`),
    /// or nil when the kind cannot list.
    static func list(prefix: String, with client: any AWSAPI) async throws -> [String]?
}

public extension ResourceKind {
    static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? { nil }
}

/// One kind's schema, reader and writer as a value: a native kind's, or Cloud Control's for a type
/// known by its registry schema.
public struct AnyResourceKind: Sendable {
    public let schema: KindSchema
    let reader: @Sendable ([LiveTarget], any AWSAPI) async -> [String: LiveRead]
    let writer: @Sendable (PlannedChange, any AWSAPI, Double) async throws -> Void
    let lister: @Sendable (String, any AWSAPI) async throws -> [String]?

    init(schema: KindSchema, read: @escaping @Sendable ([LiveTarget], any AWSAPI) async -> [String: LiveRead],
         apply: @escaping @Sendable (PlannedChange, any AWSAPI, Double) async throws -> Void,
         list: @escaping @Sendable (String, any AWSAPI) async throws -> [String]?) {
        self.schema = schema
        reader = read
        writer = apply
        lister = list
    }

    init(_ kind: any ResourceKind.Type) {
        self.init(schema: kind.schema, read: { await kind.read($0, with: $1) },
                  apply: { change, client, _ in try await kind.apply(change, with: client) },
                  list: { try await kind.list(prefix: $0, with: $1) })
    }

    /// `ResourceKind.read`.
    public func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await reader(targets, client)
    }

    /// `ResourceKind.apply`; a write AWS finishes in the background (Cloud Control's) is followed
    /// for at most `waitTimeout` seconds.
    public func apply(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double = 600) async throws {
        try await writer(change, client, waitTimeout)
    }

    /// `ResourceKind.list`.
    public func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        try await lister(prefix, client)
    }
}

/// The kinds a build knows: their schemas, and the reader and writer of each. Built once
/// where the program starts and handed to whatever needs it; a repository's registry schemas
/// add the types it reads through Cloud Control (`adding`).
public struct Kinds: Sendable {
    public let schemas: KindSchemas
    let byType: [String: AnyResourceKind]

    public init(_ kinds: [any ResourceKind.Type]) {
        self.init(kinds.map(AnyResourceKind.init))
    }

    init(_ kinds: [AnyResourceKind]) {
        schemas = KindSchemas(kinds.map(\.schema), anyType: CloudControlKind.schema(for:))
        byType = Dictionary(kinds.map { ($0.schema.type, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// These kinds and, for each registry schema of a type none of them covers, that type through
    /// Cloud Control. A type with a native kind keeps it.
    public func adding(_ registry: [RegistrySchema]) -> Kinds {
        let extra = registry.filter { byType[$0.typeName] == nil }.map { CloudControlKind($0).kind }
        guard !extra.isEmpty else { return self }
        return Kinds(schemas.all.compactMap { byType[$0.type] } + extra)
    }

    /// Every kind in this file's folder. Adding a kind is one file plus one line here.
    public static var builtIn: Kinds {
        Kinds([
            AutoScalingGroupKind.self,
            ECSServiceKind.self,
            DynamoDBTableKind.self,
            ScalableTargetKind.self,
            LambdaFunctionKind.self,
            LogGroupKind.self,
            CloudWatchAlarmKind.self,
            RotationScheduleKind.self,
            KMSKeyKind.self,
            DBInstanceKind.self,
            S3BucketKind.self,
            TimestreamTableKind.self,
            EventsRuleKind.self,
            SQSQueueKind.self,
            WAFv2WebACLKind.self,
            ApiGatewayStageKind.self,
            ApiGatewayV2StageKind.self,
            BudgetsBudgetKind.self,
            LambdaAliasKind.self,
            ElastiCacheReplicationGroupKind.self,
        ])
    }

    /// The reader and writer of a CloudFormation type.
    public func kind(for type: String) -> AnyResourceKind? { byType[type] }
}

/// Id shapes shared by several kinds.
enum IdFormat {
    /// The `index`th part of an id split at `separator` (`API/STAGE`, `FUNCTION:ALIAS`); empty if none.
    static func part(_ id: String, _ index: Int, separator: Character = "/") -> String {
        let parts = id.split(separator: separator, maxSplits: 1, omittingEmptySubsequences: false)
        return index < parts.count ? String(parts[index]) : ""
    }

    /// `a/b` with both parts non-empty.
    static func parts(_ count: Int, _ description: String) -> StringFormat {
        StringFormat(description) { id in
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == count && parts.allSatisfy { !$0.isEmpty }
        }
    }
}
