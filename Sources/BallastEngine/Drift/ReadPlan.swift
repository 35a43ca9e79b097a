import BallastCore

/// The calls a drift run will make, known before any is made (`--dry-run-reads`): per
/// group of environments read together (a region and a role), each operation's count
/// from the batch sizes the kinds use, plus the account guard and CloudFormation stacks.
/// Paging can add calls where an answer is longer than a page; nothing else does.
public struct ReadPlan: Sendable {
    public struct Group: Sendable {
        public var environments: [String]
        public var region: String
        public var role: String?
        public var resources: Int
        /// Each operation's calls.
        public var calls: [APIOperation: Int]
        /// The resources each type read through Cloud Control has (the rest are read natively).
        public var cloudControl: [String: Int] = [:]
    }

    public var groups: [Group]
    public var total: Int { groups.reduce(0) { $0 + $1.calls.values.reduce(0, +) } }

    public init(_ state: DesiredState) {
        var groups: [String: Group] = [:]
        var order: [String] = []
        for environment in state.environments {
            for region in Set(environment.resources.map(\.region)).sorted() {
                let key = region + " " + (environment.assumeRole?.roleArn ?? "")
                if groups[key] == nil {
                    order.append(key)
                    groups[key] = Group(environments: [], region: region, role: environment.assumeRole?.roleArn,
                                        resources: 0, calls: [:])
                }
                groups[key]!.environments.append(environment.name)
                groups[key]!.resources += environment.resources.filter { $0.region == region }.count
            }
        }
        for (key, group) in groups {
            let names = Set(group.environments)
            let environments = state.environments.filter { names.contains($0.name) }
            let resources = environments.flatMap(\.resources).filter { $0.region == group.region }
            var calls: [APIOperation: Int] = [:]
            if environments.contains(where: { $0.account != nil }) { calls[.getCallerIdentity] = 1 }
            // A resource with no kind is not read, so costs nothing (the loader gives every declared one its kind).
            for (kind, members) in Dictionary(grouping: resources.filter { $0.kind != nil }, by: { $0.kind! }) {
                if kind.schema.via == .cloudControl { groups[key]!.cloudControl[kind.type] = members.count }
                var declared: [String: Set<String>] = [:]
                for resource in members {
                    declared[resource.identity.description, default: []].formUnion(resource.properties.keys)
                }
                let targets = declared.map { LiveTarget(id: $0.key, declared: $0.value) }
                for (operation, count) in kind.schema.plannedReads(targets) { calls[operation, default: 0] += count }
            }
            // The session asks STS once per identity (`AWSAPI.callerAccount`), whoever needs it.
            if let asked = calls[.getCallerIdentity], asked > 1 { calls[.getCallerIdentity] = 1 }
            // Each stack a ref names or the environments name is listed and described once a run
            // (shared by the resolver and ownership), and its template read for ownership.
            let refStacks = Set(resources.compactMap { resource -> String? in
                if case .ref(let stack, _) = resource.identity { return stack } else { return nil }
            })
            let outputStacks = Set(resources.compactMap { resource -> String? in
                if case .output(let stack, _) = resource.identity { return stack } else { return nil }
            })
            let owned = refStacks.union(outputStacks).union(environments.flatMap(\.cloudFormationStacks))
            if !owned.isEmpty {
                for operation in [APIOperation.listStackResources, .describeStacks, .getTemplate] {
                    calls[operation] = owned.count
                }
            }
            groups[key]!.calls = calls
        }
        self.groups = order.compactMap { groups[$0] }
    }
}
