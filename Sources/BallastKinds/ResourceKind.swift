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

/// One write of a kind: the call a planned change names, made for that change through the client
/// handed in; `waitTimeout` bounds following a write AWS finishes in the background (Cloud Control's).
public typealias KindWrite = @Sendable (_ change: PlannedChange, _ client: any AWSAPI, _ waitTimeout: Double)
    async throws -> Void

/// A registry that cannot be built: a kind's writes do not match what it declares.
public struct KindDeclarationError: Error, CustomStringConvertible {
    public let description: String
}

/// One kind's schema, reader and writer as a value: a native kind's, or Cloud Control's for a type
/// known by its registry schema.
public struct AnyResourceKind: Sendable {
    public let schema: KindSchema
    let reader: @Sendable ([LiveTarget], any AWSAPI) async -> [String: LiveRead]
    /// Each write a plan may name, by its operation.
    let writes: [APIOperation: KindWrite]
    let lister: @Sendable (String, any AWSAPI) async throws -> [String]?

    /// Refused unless every declared write is in `writes` or `callsWithin`, and nothing else is.
    init(schema: KindSchema, read: @escaping @Sendable ([LiveTarget], any AWSAPI) async -> [String: LiveRead],
         writes: [APIOperation: KindWrite], callsWithin: [APIOperation] = [],
         list: @escaping @Sendable (String, any AWSAPI) async throws -> [String]?) throws(KindDeclarationError) {
        let declared = Set(schema.writes), made = Set(writes.keys), within = Set(callsWithin)
        guard made.isDisjoint(with: within), made.union(within) == declared else {
            let missing = declared.subtracting(made).subtracting(within).map(\.call).sorted()
            let undeclared = made.union(within).subtracting(declared).map(\.call).sorted()
            throw KindDeclarationError(description: "\(schema.type): writes without code: \(missing); "
                + "code for writes it does not declare: \(undeclared)")
        }
        self.schema = schema
        reader = read
        self.writes = writes
        lister = list
    }

    init(_ kind: any ResourceKind.Type) throws(KindDeclarationError) {
        try self.init(schema: kind.schema, read: { await kind.read($0, with: $1) }, writes: kind.writes,
                      callsWithin: kind.callsWithin, list: { try await kind.list(prefix: $0, with: $1) })
    }

    /// `ResourceKind.read`.
    public func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await reader(targets, client)
    }

    /// Makes `change` with its write; a write AWS finishes in the background (Cloud Control's) is
    /// followed for at most `waitTimeout` seconds. A change naming no write of this kind is refused.
    public func apply(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double = 600) async throws {
        guard let write = writes[change.operation] else {
            throw WriteError("\(schema.type) has no write \(change.call)")
        }
        try await write(change, client, waitTimeout)
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
