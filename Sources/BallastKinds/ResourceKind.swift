import BallastCore

/// One AWS resource type ballast manages, declared in one file: its schema (a value with no
/// I/O: properties, comparison, operations, permissions, Terraform mapping, which writes fix a
/// drift) and its reads and writes, made through the client it is handed.
public protocol ResourceKind: Sendable {
    static var schema: KindSchema { get }

    /// Reads these resources (all of this kind, in the client's region) with
    /// the fewest calls the APIs allow. Every target gets an answer, keyed by id.
    static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead]

    /// How each write a plan may name is made, keyed by its operation (one of `schema.writes`).
    /// Every write sets absolute values, so repeating one is safe. Checked when `Kinds` is built:
    /// each declared write is here, or among `callsWithin`.
    static var writes: [APIOperation: KindWrite] { get }

    /// Declared writes made only inside another write (a budget notification's subscribers): granted
    /// by IAM, never named by a plan.
    static var callsWithin: [APIOperation] { get }

    /// The ids of every resource of this kind whose id starts with `prefix` (for `import --id GLOB`),
    /// or nil when the kind cannot list.
    static func list(prefix: String, with client: any AWSAPI) async throws -> [String]?
}

public extension ResourceKind {
    static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? { nil }
    static var callsWithin: [APIOperation] { [] }
}

extension AnyResourceKind {
    /// A native kind as a value: the shape a registry schema's Cloud Control kind has too.
    init(_ kind: any ResourceKind.Type) throws(KindDeclarationError) {
        try self.init(schema: kind.schema, read: { await kind.read($0, with: $1) }, writes: kind.writes,
                      callsWithin: kind.callsWithin, list: { try await kind.list(prefix: $0, with: $1) })
    }
}

/// The kinds a build knows: their schemas, and the reader and writer of each. Built once
/// where the program starts and handed to whatever needs it; a repository's registry schemas
/// add the types it reads through Cloud Control (`adding`).
public struct Kinds: Sendable {
    /// Every kind, in registry order.
    public let all: [AnyResourceKind]
    public let schemas: KindSchemas
    let byType: [String: AnyResourceKind]

    /// The kinds, each checked: a kind whose writes do not match its declaration is a build mistake,
    /// so building the registry stops the program (every test builds it).
    /// Whether `kind`'s writes match what it declares: each declared write has code (or is made
    /// inside another), and no code is for a write it does not declare.
    public static func check(_ kind: any ResourceKind.Type) throws(KindDeclarationError) {
        _ = try AnyResourceKind(kind)
    }

    public init(_ kinds: [any ResourceKind.Type]) {
        do { self.init(try kinds.map { kind throws(KindDeclarationError) in try AnyResourceKind(kind) }) } catch {
            preconditionFailure(error.description)
        }
    }

    init(_ kinds: [AnyResourceKind]) {
        all = kinds
        schemas = KindSchemas(kinds.map(\.schema), anyType: CloudControlKind.schema(for:))
        byType = Dictionary(kinds.map { ($0.schema.type, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// These kinds and, for each registry schema of a type none of them covers, that type through
    /// Cloud Control. A type with a native kind keeps it.
    public func adding(_ registry: [RegistrySchema]) -> Kinds {
        let extra = registry.filter { byType[$0.typeName] == nil }.map { CloudControlKind($0).kind }
        guard !extra.isEmpty else { return self }
        return Kinds(all + extra)
    }

    /// Every kind in this file's folder. Adding a kind is one file plus one line in `builtInTypes`.
    public static var builtIn: Kinds { Kinds(builtInTypes) }

    /// The native kinds of this build.
    public static var builtInTypes: [any ResourceKind.Type] {
        [
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
        ]
    }

    /// The kind of a CloudFormation type, where a type's name arrives (a desired-state file, a saved
    /// plan, a stack's resource list, `--type`): after that the kind travels with what it is of.
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
