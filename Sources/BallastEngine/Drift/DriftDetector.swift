import BallastCore
import BallastDesiredState
import BallastKinds
import FoundationEssentials

/// Joins the parts of a drift run: account guard -> resolve `ref`s -> read each
/// kind in each region in batches -> pair desired with live -> compare.
public struct DriftDetector: Sendable {
    /// Clients by region and role (they share transport and, per role, credentials).
    let clients: AWSClients
    /// The environments' lock tables, where their holds are kept.
    let lockTables: LockTables
    /// The kinds this run reads, and their schemas.
    let kinds: Kinds
    /// Called as groups finish, per environment.
    let progress: ReadProgress
    /// Each CloudFormation stack is listed once a run, for refs and for ownership alike.
    let stackReads: StackReads
    /// `BALLAST_PLAN_KEY`: with it, a hold without a matching MAC is ignored.
    public var holdKey: [UInt8]?

    public init(kinds: Kinds, clients: @escaping AWSClients, lockTables: @escaping LockTables,
                progress: @escaping ReadProgress = { _, _, _ in }) {
        self.init(kinds: kinds, clients: clients, lockTables: lockTables, progress: progress, stackReads: StackReads())
    }

    init(kinds: Kinds, clients: @escaping AWSClients, lockTables: @escaping LockTables,
         progress: @escaping ReadProgress, stackReads: StackReads) {
        self.clients = clients
        self.lockTables = lockTables
        self.kinds = kinds
        self.progress = progress
        self.stackReads = stackReads
    }

    /// Drift of a loaded desired state, each resource marked with its other manager (Terraform
    /// states the environments name, a ref's stack); the ownership also names conflicting writes.
    /// With `stack`, only the resources that stack manages (by ref, or by physical id in its resources).
    public func detect(_ loaded: LoadedState, stack: String? = nil, now: Date = Date())
        async -> (report: DriftReport, ownership: Ownership) {
        // The revision's own registry: the build's kinds and the types its schemas/ read through Cloud Control.
        let detector = DriftDetector(kinds: loaded.kinds, clients: clients, lockTables: lockTables,
                                     progress: progress, stackReads: stackReads)
        let (found, ownership) = await detector.detectWithKinds(loaded, stack: stack, now: now)
        return (await held(found, loaded: loaded, now: now), ownership)
    }

    /// Drift of only the resources `keys` names (what an event named), with the environments' holds:
    /// their reads and nothing else of a full run (no Terraform states, no stacks but a ref's own).
    public func detect(_ loaded: LoadedState, only keys: Set<ResourceKey>, now: Date = Date()) async -> DriftReport {
        let state = loaded.state.keeping(keys)
        let detector = DriftDetector(kinds: loaded.kinds, clients: clients, lockTables: lockTables,
                                     progress: progress, stackReads: stackReads)
        let report = await detector.detect(state, revision: loaded.revision, now: now)
        var only = loaded
        only.state = state
        return await held(report, loaded: only, now: now)
    }

    /// The report with the environments' holds on it (`Holds.apply`); an ended hold it names is
    /// remembered as said, so the next report does not name it again (where the store can be written).
    func held(_ report: DriftReport, loaded: LoadedState, now: Date) async -> DriftReport {
        let store = HoldStore(repositoryPath: loaded.repositoryRoot, environments: loaded.state.environments,
                              lockTables: lockTables, key: holdKey)
        let read = await store.read()
        var marked = Holds.apply(read.holds, to: report, now: now)
        marked.warnings += read.warnings
        let ended = Holds.ended(in: marked)
        if !ended.isEmpty { try? await store.reportedEnded(ended, among: read.holds) }
        return marked
    }

    func detectWithKinds(_ loaded: LoadedState, stack: String?, now: Date)
        async -> (report: DriftReport, ownership: Ownership) {
        guard let stack else {
            async let ownership = Ownership.read(loaded.state, repositoryRoot: loaded.repositoryRoot,
                                                 schemas: kinds.schemas, clients: clients, stackReads: stackReads)
            let report = await detect(loaded.state, revision: loaded.revision, now: now)
            let owners = await ownership
            return (owners.annotate(report), owners)
        }
        let owners = await Ownership.read(loaded.state, repositoryRoot: loaded.repositoryRoot, extraStacks: [stack],
                                          schemas: kinds.schemas,
                                          clients: clients, stackReads: stackReads)
        var state = loaded.state
        for index in state.environments.indices {
            state.environments[index].resources.removeAll { resource in
                let id: String
                if case .id(let physical) = resource.identity {
                    id = physical
                } else {
                    id = resource.identity.description
                }
                return owners.owner(of: resource, id: id)?.stack != stack
            }
        }
        state.environments.removeAll { $0.resources.isEmpty }
        let report = await detect(state, revision: loaded.revision, now: now)
        return (owners.annotate(report), owners)
    }

    /// Environments that share a role (or none) are read together, each group with its own clients;
    /// the report keeps the state's order.
    public func detect(_ state: DesiredState, revision: String, now: Date = Date()) async -> DriftReport {
        let roles = state.environments.reduce(into: [RoleToAssume?]()) { roles, environment in
            if !roles.contains(environment.assumeRole) { roles.append(environment.assumeRole) }
        }
        let clients = clients
        guard roles.count > 1 else {
            let role = roles.first ?? nil
            return await detect(state, revision: revision, now: now, client: { clients($0, role) })
        }
        let reports = await withTaskGroup(of: DriftReport.self) { group in
            for role in roles {
                var part = state
                part.environments.removeAll { $0.assumeRole != role }
                let (stackReads, progress) = (stackReads, progress)
                group.addTask {
                    await DriftDetector(kinds: kinds, clients: clients, lockTables: lockTables, progress: progress)
                        .detect(part, revision: revision, now: now, client: { clients($0, role) },
                                stackReads: stackReads)
                }
            }
            return await group.reduce(into: [DriftReport]()) { $0.append($1) }
        }
        let byName = Dictionary(reports.flatMap(\.environments).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return DriftReport(revision: revision, generatedAt: now,
                           environments: state.environments.compactMap { byName[$0.name] })
    }

    func detect(_ state: DesiredState, revision: String, now: Date,
                client: @escaping @Sendable (String) -> any AWSAPI,
                stackReads: StackReads? = nil) async -> DriftReport {
        let resources = state.environments.flatMap(\.resources)
        let blocked = await AccountGuard(client: client).problems(for: state.environments)
        let resolver = StackResolver(client: client, stackReads: stackReads ?? self.stackReads)
        let stacks = await resolver.resolve(resources.filter { blocked[$0.environment] == nil })

        // Every resource either gets a physical id to read or an early verdict.
        var verdicts: [Int: ResourceDrift] = [:]
        var toRead: [GroupKey: [(index: Int, id: String)]] = [:]
        for (index, resource) in resources.enumerated() {
            if let reason = blocked[resource.environment] {
                verdicts[index] = .notChecked(resource, reason)
                continue
            }
            switch stacks.physicalId(of: resource) {
            case .failure(let problem):
                verdicts[index] = .notChecked(resource, problem.reason)
            case .success(let id):
                guard let kind = resource.kind else {
                    verdicts[index] = .notChecked(resource, physicalId: id, "ballast cannot read \(resource.type)")
                    continue
                }
                toRead[GroupKey(kind: kind, region: resource.region), default: []].append((index, id))
            }
        }

        let reads = await readGroups(toRead, resources: resources, client: client)
        let graces = Dictionary(state.environments.map { ($0.name, $0.rotationGrace) },
                                uniquingKeysWith: { a, _ in a })
        for (key, members) in toRead {
            let kind = key.kind.schema
            for member in members {
                let resource = resources[member.index]
                var read = reads[key]?[member.id] ?? .failed("no answer")
                if case .found(let live) = read { read = .found(kind.normalized(live, for: resource)) }
                verdicts[member.index] = .judge(resource, physicalId: member.id, read: read, rules: kind.comparison)
                verdicts[member.index]?.via = kind.via
                if case .found(let live) = read, let rotation = kind.rotation {
                    verdicts[member.index]?.rotation = rotation(live, graces[resource.environment] ?? 86_400, now)
                }
            }
        }

        var offset = 0
        let environments = state.environments.map { environment in
            defer { offset += environment.resources.count }
            return EnvironmentDrift(name: environment.name, region: environment.region,
                                    resources: environment.resources.indices.map { verdicts[offset + $0]! })
        }
        return DriftReport(revision: revision, generatedAt: now, environments: environments)
    }

    /// Resources read per environment: (environment, newly read, that environment's resources to read).
    public typealias ReadProgress = @Sendable (_ environment: String, _ read: Int, _ of: Int) -> Void

    struct GroupKey: Hashable, Sendable {
        let kind: AnyResourceKind
        let region: String
    }

    /// One reader call per (kind, region), all groups at once; the clients' pacer bounds the calls in flight.
    func readGroups(_ groups: [GroupKey: [(index: Int, id: String)]], resources: [DesiredResource],
                    client: @escaping @Sendable (String) -> any AWSAPI) async -> [GroupKey: [String: LiveRead]] {
        // Each environment's count of resources to read, said once before any is read.
        let members = groups.mapValues { group in
            Dictionary(grouping: group, by: { resources[$0.index].environment }).mapValues(\.count)
        }
        let totals = members.values.reduce(into: [String: Int]()) { $0.merge($1, uniquingKeysWith: +) }
        for (environment, total) in totals.sorted(by: { $0.key < $1.key }) { progress(environment, 0, total) }
        let work: [(GroupKey, [LiveTarget])] = groups.map { key, members in
            // Two environments may name the same resource: read it once, for everything either declares.
            var declared: [String: Set<String>] = [:]
            for member in members {
                declared[member.id, default: []].formUnion(resources[member.index].properties.keys)
            }
            return (key, declared.keys.sorted().map { LiveTarget(id: $0, declared: declared[$0]!) })
        }
        let progress = progress
        return await withTaskGroup(of: (GroupKey, [String: LiveRead]).self) { group in
            for (key, targets) in work {
                group.addTask { (key, await key.kind.read(targets, with: client(key.region))) }
            }
            var results: [GroupKey: [String: LiveRead]] = [:]
            for await (key, reads) in group {
                results[key] = reads
                for (environment, count) in members[key] ?? [:] {
                    progress(environment, count, totals[environment] ?? 0)
                }
            }
            return results
        }
    }
}
