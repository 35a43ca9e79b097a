import BallastAWS
import BallastCore
import BallastKinds
import BallastYAML
import Foundation

/// Who else manages the desired resources, read once a run: each environment's
/// Terraform states (`terraform: {states: [...]}`), and for a `ref`, its stack and
/// the stack's template. It marks the report (`managedBy`) and names the planned
/// writes the other tool would undo on its next apply.
public struct Ownership: Sendable {
    struct TerraformOwner: Sendable {
        var address: String
        var state: String
        /// The CloudFormation property paths the state sets (not null).
        var paths: Set<String>
    }

    /// `type id` -> its Terraform owner.
    var terraform: [String: TerraformOwner] = [:]
    /// `region stack` -> logical id -> the template's top-level property names.
    var templates: [String: [String: Set<String>]] = [:]
    public private(set) var warnings: [String] = []

    /// Reads every state the environments name and every template a ref points into.
    public static func read(_ state: DesiredState, repositoryRoot: String,
                            client: @escaping @Sendable (String) -> AWSClient) async -> Ownership {
        var ownership = Ownership()
        var read: Set<String> = []
        for environment in state.environments {
            for location in environment.terraformStates where read.insert(location).inserted {
                do {
                    let text = try await Self.stateText(location, repositoryRoot: repositoryRoot,
                                                        client: client(environment.region))
                    ownership.index(try TerraformState(json: text), location: location)
                } catch {
                    ownership.warnings.append("Terraform state \(location) (environment \(environment.name)): \(error)")
                }
            }
        }
        let stacks = Set(state.environments.flatMap(\.resources).compactMap { resource -> String? in
            guard case .ref(let stack, _) = resource.identity else { return nil }
            return resource.region + " " + stack
        })
        for key in stacks.sorted() {
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            do {
                ownership.templates[key] = try await Self.template(parts[1], client: client(parts[0]))
            } catch {
                ownership.warnings.append("CloudFormation template of \(parts[1]): \(error)")
            }
        }
        return ownership
    }

    mutating func index(_ state: TerraformState, location: String) {
        for instance in state.instances {
            guard let kind = KindRegistry.kinds.first(where: { $0.terraform.resourceType == instance.type }),
                  let id = kind.terraform.id(instance.attributes) else { continue }
            let paths = kind.terraform.properties.filter { property in
                guard let value = TerraformMapping.attribute(property.attribute, in: instance.attributes), value != .null else {
                    return false
                }
                return property.convert(value) != nil
            }.map(\.path)
            terraform[kind.schema.type + " " + id] = TerraformOwner(address: instance.address, state: location,
                                                                    paths: Set(paths))
        }
    }

    /// The report with each resource's other manager.
    public func annotate(_ report: DriftReport) -> DriftReport {
        var report = report
        for (e, environment) in report.environments.enumerated() {
            for (r, drift) in environment.resources.enumerated() {
                report.environments[e].resources[r].managedBy = owner(of: drift.resource, id: drift.displayId)
            }
        }
        report.warnings += warnings
        return report
    }

    func owner(of resource: DesiredResource, id: String) -> ManagedBy? {
        switch resource.identity {
        case .ref(let stack, let logicalId): return .cloudFormation(stack: stack, logicalId: logicalId)
        case .output(let stack, _): return .cloudFormation(stack: stack, logicalId: nil)
        case .id: return terraform[resource.type + " " + id].map { .terraform(address: $0.address, state: $0.state) }
        }
    }

    /// One warning per planned write that sets a property the other tool's configuration also sets:
    /// its next apply undoes the write. Says where to change it instead.
    public func conflicts(_ changes: [PlannedChange], report: DriftReport) -> [String] {
        var found: [String] = []
        let resources = Dictionary(report.resources.map { ("\($0.resource.environment) \($0.resource.type) \($0.displayId)", $0) },
                                   uniquingKeysWith: { a, _ in a })
        for change in changes {
            guard let drift = resources["\(change.environment) \(change.type) \(change.id)"] else { continue }
            let paths = change.set.keys.sorted()
            switch drift.resource.identity {
            case .id:
                guard let owner = terraform[change.type + " " + change.id] else { continue }
                let clashing = paths.filter { path in owner.paths.contains { path == $0 || path.hasPrefix($0 + "/") } }
                guard !clashing.isEmpty else { continue }
                let attributes = clashing.compactMap { KindRegistry.kind(for: change.type)?.terraform.attribute(for: $0) }
                found.append("\(change.type) \(change.id): Terraform (\(owner.address) in \(owner.state)) also sets "
                    + "\(attributes.joined(separator: ", ")); its next apply undoes this. Change it in the HCL of "
                    + "\(owner.address) instead, or hand it to ballast with lifecycle { ignore_changes = "
                    + "[\(attributes.joined(separator: ", "))] }")
            case .ref(let stack, let logicalId):
                guard let set = templates[drift.resource.region + " " + stack]?[logicalId] else { continue }
                let clashing = paths.filter { path in set.contains(path.split(separator: "/").first.map(String.init) ?? "") }
                guard !clashing.isEmpty else { continue }
                found.append("\(change.type) \(change.id): CloudFormation stack \(stack) sets "
                    + clashing.map { "\(logicalId)\($0.replacingOccurrences(of: "/", with: "."))" }.joined(separator: ", ")
                    + " in its template; its next update undoes this. Change the template instead, "
                    + "or remove the property from it")
            case .output:
                continue
            }
        }
        return found
    }

    static func stateText(_ location: String, repositoryRoot: String, client: AWSClient) async throws -> String {
        if location.hasPrefix("s3://") {
            let path = location.dropFirst(5).split(separator: "/", maxSplits: 1).map(String.init)
            guard path.count == 2 else { throw LoadError("not s3://bucket/key") }
            return String(decoding: try await client.getObject(bucket: path[0], key: path[1]), as: UTF8.self)
        }
        let path = location.hasPrefix("/") ? location : repositoryRoot + "/" + location
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// GetTemplate's body (JSON or YAML; YAML's short tags like `!Ref` are kept as tags) ->
    /// logical id -> the property names its template sets.
    static func template(_ stack: String, client: AWSClient) async throws -> [String: Set<String>] {
        let answer = try await client.query(.cloudFormation, "GetTemplate", ["StackName": stack])
        let body = answer.child("TemplateBody")?.text ?? ""
        let parsed = YAML.parse(body, file: "template of \(stack)")
        guard let resources = parsed.documents.first?["Resources"]?.entries else { return [:] }
        var sets: [String: Set<String>] = [:]
        for entry in resources {
            sets[entry.key] = Set(entry.value["Properties"]?.entries?.map { $0.key } ?? [])
        }
        return sets
    }
}
