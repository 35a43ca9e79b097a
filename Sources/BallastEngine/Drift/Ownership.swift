import BallastCore
import BallastYAML
import FoundationEssentials

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

    /// The kinds' Terraform mappings and ids.
    let schemas: KindSchemas
    /// A resource as another tool's configuration names it: a type and the id ballast uses. A
    /// Terraform state or a stack may serve several environments, so neither is in it.
    struct OwnedId: Hashable, Sendable {
        let type: String
        let id: String
    }

    /// Each resource's Terraform owner.
    var terraform: [OwnedId: TerraformOwner] = [:]
    typealias StackKey = StackResolver.StackKey

    /// A stack as ownership needs it: its ARN, its resources, and what its template sets.
    struct Stack: Sendable {
        var stackId: String?
        /// Each resource's logical id.
        var logicalIds: [OwnedId: String] = [:]
        /// Logical id -> the template's top-level property names.
        var templateProperties: [String: Set<String>] = [:]
    }

    var stacks: [StackKey: Stack] = [:]
    public private(set) var warnings: [String] = []

    /// Reads every Terraform state and CloudFormation stack the environments name, and every stack a ref points into.
    public static func read(_ state: DesiredState, repositoryRoot: String, extraStacks: [String] = [],
                            schemas: KindSchemas, clients: @escaping AWSClients) async -> Ownership {
        await read(state, repositoryRoot: repositoryRoot, extraStacks: extraStacks, schemas: schemas, clients: clients,
                   stackReads: StackReads())
    }

    static func read(_ state: DesiredState, repositoryRoot: String, extraStacks: [String] = [], schemas: KindSchemas,
                     clients: @escaping AWSClients, stackReads: StackReads) async -> Ownership {
        var ownership = Ownership(schemas: schemas)
        var read: Set<String> = []
        for environment in state.environments {
            for location in environment.terraformStates where read.insert(location).inserted {
                do {
                    let client = clients(environment.region, environment.assumeRole)
                    let state = try await TerraformState.read(location, relativeTo: repositoryRoot, client: client)
                    ownership.index(state, location: location)
                } catch {
                    ownership.warnings.append("\(error) (environment \(environment.name))")
                }
            }
        }
        // Stacks: those the environments name, and those refs point into (plus `extraStacks`, for --stack).
        // A stack is read as the role of the (first) environment that names it.
        var roles: [StackKey: RoleToAssume?] = [:]
        for environment in state.environments {
            for stack in environment.cloudFormationStacks + extraStacks
            where roles[StackKey(region: environment.region, stack: stack)] == nil {
                roles[StackKey(region: environment.region, stack: stack)] = .some(environment.assumeRole)
            }
            for resource in environment.resources {
                if let stack = resource.identity.stack, roles[StackKey(region: resource.region, stack: stack)] == nil {
                    roles[StackKey(region: resource.region, stack: stack)] = .some(environment.assumeRole)
                }
            }
        }
        let stackRoles = roles
        let described = await StackResolver.each(Set(stackRoles.keys)) { key in
            await Self.stack(key, client: clients(key.region, stackRoles[key] ?? nil), schemas: schemas,
                             stackReads: stackReads)
        }
        for (key, result) in described {
            switch result {
            case .success(let stack): ownership.stacks[key] = stack
            case .failure(let problem): ownership.warnings.append(problem.reason)
            }
        }
        ownership.warnings.sort()
        return ownership
    }

    mutating func index(_ state: TerraformState, location: String) {
        for instance in state.instances {
            guard let kind = schemas.kind(terraformType: instance.type),
                  let id = kind.terraform.id(instance.attributes) else { continue }
            let paths = kind.terraform.properties.filter { property in
                guard let value = TerraformMapping.attribute(property.attribute, in: instance.attributes),
                      value != .null else {
                    return false
                }
                return property.convert(value) != nil
            }.map(\.path)
            terraform[OwnedId(type: kind.type, id: id)] = TerraformOwner(address: instance.address, state: location,
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

    public func owner(of resource: DesiredResource, id: String) -> ManagedBy? {
        switch resource.identity {
        case .ref(let stack, let logicalId):
            return .cloudFormation(stack: stack, logicalId: logicalId,
                                   stackId: stacks[StackKey(region: resource.region, stack: stack)]?.stackId)
        case .output(let stack, _):
            // The output names a physical id: the stack resource that has it is what the output
            // stands for, and its template's properties are the stack's, as for a logicalId ref.
            let read = stacks[StackKey(region: resource.region, stack: stack)]
            return .cloudFormation(stack: stack, logicalId: read?.logicalIds[OwnedId(type: resource.type, id: id)],
                                   stackId: read?.stackId)
        case .id:
            if let owner = terraform[OwnedId(type: resource.type, id: id)] {
                return .terraform(address: owner.address, state: owner.state)
            }
            return stackOwning(resource, id: id).map {
                .cloudFormation(stack: $0.key.stack, logicalId: $0.logicalId, stackId: $0.stack.stackId)
            }
        }
    }

    /// The read stack (in the resource's region) that has this physical id.
    func stackOwning(_ resource: DesiredResource, id: String) -> (key: StackKey, stack: Stack, logicalId: String)? {
        for (key, stack) in stacks.sorted(by: { $0.key.stack < $1.key.stack }) where key.region == resource.region {
            if let logicalId = stack.logicalIds[OwnedId(type: resource.type, id: id)] {
                return (key, stack, logicalId)
            }
        }
        return nil
    }

    /// One warning per planned write that sets a property the other tool's configuration also sets:
    /// its next apply undoes the write. Says where to change it instead.
    public func conflicts(_ changes: [PlannedChange], report: DriftReport) -> [String] {
        var found: [String] = []
        let resources = Dictionary(report.resources.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for change in changes {
            guard let drift = resources[change.key] else { continue }
            let paths = change.set.keys.sorted()
            if let owner = terraform[OwnedId(type: change.key.type, id: change.id)],
               case .id = drift.resource.identity {
                let clashing = paths.filter { path in owner.paths.contains { path == $0 || path.hasPrefix($0 + "/") } }
                guard !clashing.isEmpty else { continue }
                let mapping = change.kind?.schema.terraform
                let attributes = clashing.compactMap { mapping?.attribute(for: $0) }
                found.append("\(change.key.type) \(change.id): Terraform (\(owner.address) in \(owner.state)) "
                    + "also sets "
                    + "\(attributes.joined(separator: ", ")); its next apply undoes this. Change it in the HCL of "
                    + "\(owner.address) instead, or hand it to ballast with lifecycle { ignore_changes = "
                    + "[\(attributes.joined(separator: ", "))] }")
                continue
            }
            guard case .cloudFormation(let stack, let logicalId?, _)? = owner(of: drift.resource, id: drift.displayId),
                let set = stacks[StackKey(region: drift.resource.region, stack: stack)]?.templateProperties[logicalId]
            else { continue }
            let clashing = paths.filter { path in
                set.contains(PropertyPath.segments(path).first ?? "")
            }
            guard !clashing.isEmpty else { continue }
            found.append("\(change.key.type) \(change.id): CloudFormation stack \(stack) sets "
                + clashing.map { "\(logicalId).\(PropertyPath.readable($0))" }.joined(separator: ", ")
                + " in its template; its next update undoes this. Change the template instead, "
                + "or remove the property from it")
        }
        return found
    }

    /// A stack's ARN (DescribeStacks), resources (ListStackResources) and template (GetTemplate: JSON or
    /// YAML, whose short tags like `!Ref` are kept as tags) -> the property names each logical id sets.
    static func stack(_ key: StackKey, client: any AWSAPI, schemas: KindSchemas,
                      stackReads: StackReads) async -> Result<Stack, StackResolver.Problem> {
        var stack = Stack()
        do {
            stack.stackId = try await stackReads.description(key, client: client).get().stackId
            let entries = await stackReads.entries(key, client: client)
            for (logicalId, entry) in try entries.get() where !entry.physicalId.isEmpty {
                guard let kind = schemas[type: entry.type] else { continue }
                stack.logicalIds[OwnedId(type: entry.type, id: kind.id(fromPhysicalId: entry.physicalId))] = logicalId
            }
            let template = try await client.query(.getTemplate, ["StackName": key.stack])
            let parsed = YAML.parse(template.child("TemplateBody")?.text ?? "", file: "template of \(key.stack)")
            for entry in parsed.documents.first?["Resources"]?.entries ?? [] {
                stack.templateProperties[entry.key] = Set(entry.value["Properties"]?.entries?.map { $0.key } ?? [])
            }
            return .success(stack)
        } catch let problem as StackResolver.Problem {
            return .failure(problem)
        } catch {
            return .failure(StackResolver.problem(error, key))
        }
    }
}
