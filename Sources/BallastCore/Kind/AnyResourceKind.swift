/// One write of a kind: the call a planned change names, made for that change through the client
/// handed in; `waitTimeout` bounds following a write AWS finishes in the background (Cloud Control's).
public typealias KindWrite = @Sendable (_ change: PlannedChange, _ client: any AWSAPI, _ waitTimeout: Double)
    async throws -> Void

/// A registry that cannot be built: a kind's writes do not match what it declares.
public struct KindDeclarationError: Error, CustomStringConvertible {
    public let description: String
}

/// One kind's schema, reader and writer as a value: a native kind's, or Cloud Control's for a type
/// known by its registry schema. The decoder hands each desired resource its kind, and the planner
/// each change its resource's, so nothing after decoding looks a kind up by its type's name.
/// One registry holds one kind per type, so two kinds of a run are the same when their types are.
public struct AnyResourceKind: Sendable, Hashable {
    public let schema: KindSchema
    let reader: @Sendable ([LiveTarget], any AWSAPI) async -> [String: LiveRead]
    /// Each write a plan may name, by its operation.
    let writes: [APIOperation: KindWrite]
    let lister: @Sendable (String, any AWSAPI) async throws -> [String]?

    /// Refused unless every declared write is in `writes` or `callsWithin`, and nothing else is.
    public init(
        schema: KindSchema,
        read: @escaping @Sendable ([LiveTarget], any AWSAPI) async -> [String: LiveRead],
        writes: [APIOperation: KindWrite], callsWithin: [APIOperation] = [],
        list: @escaping @Sendable (String, any AWSAPI) async throws -> [String]?
    ) throws(KindDeclarationError) {
        let declared = Set(schema.writes)
        let made = Set(writes.keys)
        let within = Set(callsWithin)
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

    /// `AWS::Logs::LogGroup`.
    public var type: String { schema.type }

    public static func == (lhs: AnyResourceKind, rhs: AnyResourceKind) -> Bool {
        lhs.type == rhs.type && lhs.schema.via == rhs.schema.via
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(type) }

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

