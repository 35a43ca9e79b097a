import BallastCore
import BallastKinds
import Foundation

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
    public func ids(of type: String, matching pattern: String, client: any AWSAPI) async throws -> [String] {
        guard Glob.hasWildcards(pattern) else { return [pattern] }
        guard let kind = kinds.kind(for: type) else { return [] }
        let prefix = String(pattern.prefix { !"*?[".contains($0) })
        guard let listed = try await kind.list(prefix: prefix, with: client) else {
            throw ImportError("--id with wildcards needs a listing, which ballast does not have for \(type); "
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
    public func fromLive(
        _ wanted: [(type: String, identity: ResourceIdentity, physicalId: String, origin: String)],
                                client: any AWSAPI) async -> ImportResult {
        var result = ImportResult()
        let byType = Dictionary(grouping: wanted, by: \.type)
        for type in byType.keys.sorted() {
            guard let kind = kinds.kind(for: type), let entries = byType[type] else { continue }
            let all = Set(kind.schema.resource.properties.fields.map(\.name))
            let reads = await kind.read(entries.map { LiveTarget(id: $0.physicalId, declared: all) }, with: client)
            for entry in entries {
                switch reads[entry.physicalId] {
                case .found(let live)?:
                    let owned = kind.schema.normalized(live, for: DesiredResource(
                        type: type, identity: entry.identity, region: client.region, environment: "", properties: [:],
                        source: SourceLocation(file: "", line: 0, column: 0)))
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
        var wanted: [(type: String, identity: ResourceIdentity, physicalId: String, origin: String)] = []
        var skipped: [String] = []
        for (logicalId, entry) in entries.sorted(by: { $0.key < $1.key }) {
            guard let kind = kinds.schemas[type: entry.type] else {
                skipped.append("\(stack)/\(logicalId): ballast has no kind \(entry.type)")
                continue
            }
            guard !entry.physicalId.isEmpty else {
                skipped.append("\(stack)/\(logicalId): no physical id yet")
                continue
            }
            let physicalId = kind.id(fromPhysicalId: entry.physicalId)
            wanted.append((entry.type, .ref(stack: stack, logicalId: logicalId), physicalId,
                           "\(stack)/\(logicalId)"))
        }
        var result = await fromLive(wanted, client: client)
        result.skipped = skipped + result.skipped
        return result
    }
}

/// Why resources could not be imported (a stack that cannot be read, a kind that cannot list).
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ message: String) { description = message }
}
