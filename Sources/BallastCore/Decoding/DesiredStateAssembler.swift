/// A file that parsed: its repository-relative path and its documents.
public struct ParsedFile: Sendable {
    public var path: String
    public var documents: [Node]

    public init(path: String, documents: [Node]) {
        self.path = path
        self.documents = documents
    }
}

/// The files of one environment folder.
public struct EnvironmentFiles: Sendable {
    public var name: String
    /// `desired-state/<name>`
    public var folder: String
    public var environmentFile: ParsedFile?
    public var resourceFiles: [ParsedFile]

    public init(name: String, folder: String, environmentFile: ParsedFile?, resourceFiles: [ParsedFile]) {
        self.name = name
        self.folder = folder
        self.environmentFile = environmentFile
        self.resourceFiles = resourceFiles
    }
}

/// Builds the desired state from parsed files and reports every mistake:
/// per-file ones from the decoders, and duplicate identities across files.
public struct DesiredStateAssembler: Sendable {
    public let decoder: ResourceDecoder

    public init(kinds: [AnyResourceKind]) {
        decoder = ResourceDecoder(kinds: kinds)
    }

    /// The environments of `folders`; with `duplicates`, a resource declared twice is a mistake said here
    /// (without, the caller checks `duplicates(in:)` over every environment itself).
    public func assemble(_ folders: [EnvironmentFiles], diagnostics: inout Diagnostics,
                         duplicates checking: Bool = true) -> DesiredState {
        var environments: [Environment] = []
        for folder in folders.sorted(by: { $0.name < $1.name }) {
            guard let envFile = folder.environmentFile else {
                diagnostics.add(SourceLocation(file: folder.folder + "/environment.yaml"),
                                "missing: every environment folder needs an environment.yaml with at least 'region'")
                continue
            }
            guard let document = envFile.documents.first else {
                diagnostics.add(
                    SourceLocation(file: envFile.path, line: 1, column: 1),
                    "environment.yaml is empty; it needs at least 'region'")
                continue
            }
            guard var environment = EnvironmentDecoder.decode(document, name: folder.name, file: envFile.path,
                                                              diagnostics: &diagnostics) else { continue }
            for file in folder.resourceFiles.sorted(by: { $0.path < $1.path }) {
                for document in file.documents {
                    environment.resources += decoder.decode(
                        document: document, environment: folder.name,
                        defaultRegion: environment.region, diagnostics: &diagnostics)
                }
            }
            environments.append(environment)
        }
        if checking { diagnostics.add(contentsOf: Self.duplicates(in: environments)) }
        return DesiredState(environments: environments)
    }

    /// Two declarations of one resource would fight over it: apply would write each
    /// in turn and drift would never settle. Within an environment that is always a
    /// mistake; across environments unless both name accounts and the accounts differ
    /// (the same name in two accounts is two resources).
    static func duplicates(in environments: [Environment]) -> [Diagnostic] {
        var check = DuplicateCheck()
        return environments.flatMap { check.add($0) }
    }
}

/// The duplicate check, an environment at a time (`DesiredStateAssembler.duplicates(in:)`): of each
/// resource it keeps only where it was declared, so a load that lets resources go (a shard's) still
/// finds a duplicate across environments. The first earlier declaration that clashes is named.
public struct DuplicateCheck: Sendable {
    struct Key: Hashable {
        let type: String, region: String, identity: ResourceIdentity
    }

    struct Seen: Sendable {
        let order: Int, source: SourceLocation, environment: String
    }

    /// Of one key: the first declaration, the first in an environment naming no account, and the first
    /// in each account: the only ones a later declaration can clash with first.
    struct Declared: Sendable {
        var first: Seen
        var withoutAccount: Seen?
        var byAccount: [String: Seen] = [:]
    }

    private var declared: [Key: Declared] = [:]
    private var count = 0

    public init() {}

    /// The duplicates `environment` adds to those checked before it.
    public mutating func add(_ environment: Environment) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for resource in environment.resources {
            let key = Key(type: resource.type, region: resource.region, identity: resource.identity)
            let seen = Seen(order: count, source: resource.source, environment: environment.name)
            count += 1
            guard var entry = declared[key] else {
                var entry = Declared(first: seen)
                if let account = environment.account {
                    entry.byAccount[account] = seen
                } else {
                    entry.withoutAccount = seen
                }
                declared[key] = entry
                continue
            }
            // Earlier ones clash in the same environment (so the same account), in an environment naming no
            // account, or when this one names none, or in the same account.
            let candidates = environment.account.map { [entry.withoutAccount, entry.byAccount[$0]] }
                ?? [entry.first]
            guard let first = candidates.compactMap({ $0 }).min(by: { $0.order < $1.order }) else {
                if let account = environment.account { entry.byAccount[account] = seen }
                declared[key] = entry
                continue
            }
            var message = "duplicate resource: \(resource.type) \(resource.identity) in \(resource.region) "
                + "is already declared at \(first.source) (environment \(first.environment))"
            if first.environment != environment.name {
                message +=
                    "; if the two environments are in different AWS accounts, give each environment.yaml "
                        + "its `account`"
            }
            found.append(Diagnostic(resource.source, message))
        }
        return found
    }
}
