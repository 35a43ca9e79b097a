import BallastCore
import BallastKinds
import FoundationEssentials
import Glibc

/// One resource `ballast import` adopts: what exists, as desired state.
public struct ImportedResource: Sendable {
    public var type: String
    public var identity: ResourceIdentity
    /// Owned properties, CloudFormation names and nesting.
    public var properties: [String: Value]
    /// Where it came from, for the file's comment: `aws_cloudwatch_log_group.app`.
    public var origin: String

    public init(type: String, identity: ResourceIdentity, properties: [String: Value], origin: String) {
        self.type = type
        self.identity = identity
        self.properties = properties
        self.origin = origin
    }

    /// The resource as it will be declared in `environment`, whose region it is read in.
    public func key(environment: String, region: String) -> ResourceKey {
        ResourceKey(environment: environment, type: type, id: identity.description, region: region)
    }
}

/// What an import found, and what it left and why.
public struct ImportResult: Sendable {
    public var resources: [ImportedResource] = []
    /// `aws_s3_bucket.logs: no kind of ballast's`, `/aws/x: does not exist`.
    public var skipped: [String] = []
}

/// Sources of resources to adopt, for the kinds it is given.
public struct Importer: Sendable {
    let kinds: Kinds

    public init(kinds: Kinds) {
        self.kinds = kinds
    }

    /// The ids of `type` matching `pattern`: itself without wildcards, else listed (by the
    /// pattern's literal prefix) and matched; throws when the kind cannot list.
    public func ids(of kind: AnyResourceKind, matching pattern: String, client: any AWSAPI) async throws -> [String] {
        guard Glob.hasWildcards(pattern) else { return [pattern] }
        let prefix = String(pattern.prefix { !"*?[".contains($0) })
        guard let listed = try await kind.list(prefix: prefix, with: client) else {
            throw ImportError("--id with wildcards needs a listing, which ballast does not have for \(kind.type); "
                + "give its ids")
        }
        return listed.filter { Glob.matches(pattern, $0) }.sorted()
    }

    /// The CloudFormation types ballast has a kind for.
    public var knownTypes: [String] { kinds.schemas.types }

    /// Every instance in a Terraform state of a type some kind maps, whose address matches `addressGlob`.
    public func fromTerraform(_ state: TerraformState, addressGlob: String?) -> ImportResult {
        var result = ImportResult()
        for instance in state.instances where addressGlob.map({ Glob.matches($0, instance.address) }) ?? true {
            guard let kind = kinds.schemas.kind(terraformType: instance.type) else {
                result.skipped.append("\(instance.address): no kind of ballast's maps \(instance.type)")
                continue
            }
            guard let id = kind.terraform.id(instance.attributes) else {
                result.skipped.append("\(instance.address): no id in its attributes")
                continue
            }
            let properties = kind.terraform.properties(from: instance.attributes)
            guard !properties.isEmpty else {
                result.skipped.append("\(instance.address): sets none of the properties ballast owns")
                continue
            }
            result.resources.append(ImportedResource(type: kind.type, identity: .id(id), properties: properties,
                                                     origin: instance.address))
        }
        return result
    }

    /// The live values of every property a kind owns, for resources named by id or ref.
    public func fromLive(_ wanted: [ImportTarget], client: any AWSAPI) async -> ImportResult {
        var result = ImportResult()
        for (kind, entries) in Dictionary(grouping: wanted, by: \.kind).sorted(by: { $0.key.type < $1.key.type }) {
            let type = kind.type
            let all = Set(kind.schema.resource.properties.fields.map(\.name))
            let reads = await kind.read(entries.map { LiveTarget(id: $0.physicalId, declared: all) }, with: client)
            for entry in entries {
                switch reads[entry.physicalId] {
                case .found(let live)?:
                    let owned = kind.schema.normalized(live, for: DesiredResource(
                        type: type, identity: entry.identity, region: client.region, environment: "", properties: [:],
                        source: SourceLocation(file: "", line: 0, column: 0), kind: kind))
                            .filter { all.contains($0.key) && $0.value != .null }
                    // Only what ballast owns: a WAF rule's priority and statement stay the template's.
                    var projected = kind.schema.resource.properties.project(owned)
                    // What AWS leaves unset, said so: `RetentionInDays: null`, a group that never expires.
                    for path in kind.schema.resource.unsettable.keys {
                        let top = PropertyPath.segments(path)
                        if top.count == 1, projected[top[0]] == nil { projected[top[0]] = .null }
                    }
                    result.resources.append(ImportedResource(type: type, identity: entry.identity,
                                                             properties: projected,
                                                             origin: entry.origin))
                case .missing?, nil: result.skipped.append("\(entry.origin): does not exist")
                case .failed(let why)?: result.skipped.append("\(entry.origin): cannot be read: \(why)")
                }
            }
        }
        return result
    }
}

/// Shell-style patterns (`*`, `?`, `[...]`) for `--id` and `--address`.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        fnmatch(pattern, text, 0) == 0
    }

    public static func hasWildcards(_ pattern: String) -> Bool {
        pattern.contains { "*?[".contains($0) }
    }
}

public extension Importer {
    /// The stack's resources of the kinds ballast knows, as `ref: {stack, logicalId}`, with their live values.
    func fromCloudFormation(_ stack: String, client: any AWSAPI) async throws(ImportError) -> ImportResult {
        let entries: [String: StackResolver.Entry]
        switch await StackResolver.read(StackResolver.StackKey(region: client.region, stack: stack), client) {
        case .success(let listed): entries = listed
        case .failure(let problem): throw ImportError(problem.reason)
        }
        var wanted: [ImportTarget] = []
        var skipped: [String] = []
        for (logicalId, entry) in entries.sorted(by: { $0.key < $1.key }) {
            // A stack's resource type arrives here, from CloudFormation: looked up once.
            guard let kind = kinds.kind(for: entry.type) else {
                skipped.append("\(stack)/\(logicalId): ballast has no kind \(entry.type)")
                continue
            }
            guard !entry.physicalId.isEmpty else {
                skipped.append("\(stack)/\(logicalId): no physical id yet")
                continue
            }
            wanted.append(ImportTarget(kind: kind, identity: .ref(stack: stack, logicalId: logicalId),
                                       physicalId: kind.schema.id(fromPhysicalId: entry.physicalId),
                                       origin: "\(stack)/\(logicalId)"))
        }
        var result = await fromLive(wanted, client: client)
        result.skipped = skipped + result.skipped
        return result
    }
}

/// A resource to import from its live values: its kind, how the desired state will name it, the id
/// read, and where it came from (for what is said of it).
public struct ImportTarget: Sendable {
    public let kind: AnyResourceKind
    public let identity: ResourceIdentity
    public let physicalId: String
    public let origin: String

    public init(kind: AnyResourceKind, identity: ResourceIdentity, physicalId: String, origin: String) {
        self.kind = kind
        self.identity = identity
        self.physicalId = physicalId
        self.origin = origin
    }
}

/// Why resources could not be imported (a stack that cannot be read, a kind that cannot list).
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ message: String) { description = message }
}
