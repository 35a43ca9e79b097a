import BallastCore
import BallastDesiredState
import BallastKinds
import FoundationEssentials

/// One apply, the same for apply, rollback, revert and self-heal: lock every
/// environment, close an apply before it that was interrupted, plan (or prove a
/// saved plan is what the desired state asks for and still true), check policies
/// and change windows, ask, journal the intent, write with progress journaled,
/// read back, journal the end, unlock. It returns what happened; it prints nothing.
public struct ApplyRun: Sendable {
    let clients: AWSClients
    let lockTables: LockTables
    /// The build's kinds; a run adds the types its revision reads through Cloud Control.
    var kinds: Kinds
    let locks: @Sendable (Environment, LockOwner) -> any ApplyLock
    let clock: @Sendable () -> Date
    let confirm: @Sendable (_ changes: Int) async -> Bool
    let events: @Sendable (ApplyEvent) -> Void
    let progress: DriftDetector.ReadProgress
    let actor: String?
    /// `BALLAST_PLAN_KEY`, for the holds' MACs.
    let holdKey: [UInt8]?
    /// `--guard-window`: how far back each capacity cut's load is read before the policies judge it.
    let guardWindow: TimeInterval

    /// `locks` defaults to each environment's lock table, else a lock file in `.git`.
    public init(kinds: Kinds, clients: @escaping AWSClients, lockTables: @escaping LockTables,
                locks: (@Sendable (Environment, LockOwner) -> any ApplyLock)? = nil,
                gitDirectory: String,
                clock: @escaping @Sendable () -> Date = { Date() },
                confirm: @escaping @Sendable (Int) async -> Bool,
                events: @escaping @Sendable (ApplyEvent) -> Void = { _ in },
                progress: @escaping DriftDetector.ReadProgress = { _, _, _ in },
                actor: String? = nil, holdKey: [UInt8]? = nil, guardWindow: TimeInterval = 3_600) {
        self.holdKey = holdKey
        self.guardWindow = guardWindow
        self.clients = clients
        self.lockTables = lockTables
        self.kinds = kinds
        self.locks = locks ?? { environment, owner in
            guard let table = environment.lockTable else {
                return FileLock(gitDirectory: gitDirectory, environment: environment.name, owner: owner)
            }
            return lockTables(table, environment).lock(environment: environment.name, owner: owner)
        }
        self.clock = clock
        self.confirm = confirm
        self.events = events
        self.progress = progress
        self.actor = actor
    }

    public func run(_ loaded: LoadedState, _ request: ApplyRequest) async -> ApplyResult {
        let owner = LockOwner(actor: actor ?? Actor.current(repositoryPath: loaded.repositoryRoot),
                              revision: loaded.revision)
        var held: [any ApplyLock] = []
        for environment in loaded.state.environments {
            let lock = locks(environment, owner)
            do {
                try await lock.acquire()
                held.append(lock)
            } catch {
                await release(held)
                if let error = error as? LockHeld { return .refused(.locked(error)) }
                return .refused(.lockFailed("cannot take the lock in \(lock.place): \(error)"))
            }
        }
        var run = self
        run.kinds = loaded.kinds
        let result = await run.underLock(loaded, request, owner: owner)
        await release(held)
        return result
    }

    func underLock(_ loaded: LoadedState, _ request: ApplyRequest, owner: LockOwner) async -> ApplyResult {
        let journal = ApplyJournal(loaded: loaded, lockTables: lockTables)
        for entry in await journal.closeInterrupted() {
            events(.note(Self.describeInterrupted(entry)))
        }
        var detector = DriftDetector(kinds: kinds, clients: clients, lockTables: lockTables, progress: progress)
        detector.holdKey = holdKey
        let (report, ownership) = await detector.detect(loaded, now: clock())
        var plan = Planner.plan(report)
        plan.conflicts = ownership.conflicts(plan.changes, report: report)
        var chosen = plan.changes
        if let saved = request.saved {
            switch await check(saved, fresh: plan, loaded: loaded) {
            case .refused(let refusal): return .refused(refusal)
            case .accepted(let checked): chosen = checked
            }
        }
        // A saved plan made before a hold never writes what the hold keeps.
        let (unheld, held) = Holds.unheld(chosen, report: report)
        for item in held { events(.note("\(item) is held: not written")) }
        // The load each capacity cut carries, read now (a saved plan's guards are not trusted from its file),
        // for the plan shown and the policies that judge it.
        let load = await LoadGuards(clients: clients, window: guardWindow)
            .guarded(unheld, in: loaded.state, now: clock())
        let changes = load.changes
        for problem in load.problems { events(.note(problem)) }
        if request.saved == nil { plan.changes = changes }
        // Policies hold at apply time too, against the changes about to be written (a saved plan's included).
        plan.policy = PolicyEngine(loaded.policies).check(loaded.state, changes: changes, drift: report)
        let policy = plan.policy
        let checksum = request.saved?.checksum ?? PlanFile.checksum(plan)
        if request.saved == nil {
            events(.planned(plan))
            if report.summary.notChecked > 0 { return .refused(.notChecked) }
        }
        if policy.contains(where: \.blocks) { return .refused(.denied(policy)) }
        // Only resources that do not exist: nothing to write or journal, but never a silent success.
        if changes.isEmpty { return .nothingToWrite(unfixable: plan.unfixable) }

        let touched = Set(changes.map(\.key.environment))
        let refusals = loaded.state.environments.filter { touched.contains($0.name) }
            .compactMap { $0.windowRefusal(at: clock()) }
        if !refusals.isEmpty {
            guard let reason = request.overrideWindow else { return .refused(.outsideWindows(refusals)) }
            for refusal in refusals { events(.note("\(refusal); applying anyway (--override-window: \(reason))")) }
        }
        if request.saved == nil, !(await confirm(changes.count)) { return .refused(.declined) }

        let intent = JournalEntry(
            kind: request.kind, environments: loaded.state.environments.map(\.name), revision: loaded.revision,
            time: clock(),
            actor: owner.actor, planChecksum: checksum,
            windowOverride: refusals.isEmpty ? nil : request.overrideWindow,
            relatedCommit: request.relatedCommit, changes: changes.map { .init(change: $0, outcome: .notAttempted) },
            unfixable: plan.unfixable.map { "\($0.resource.type) \($0.displayId)" }, stage: .started)
        do { try await journal.begin(intent) } catch { return .refused(.journal(error.description)) }

        let verifier = Verifier(detector: DriftDetector(kinds: kinds, clients: clients, lockTables: lockTables))
        let state = loaded.state
        let roles = Dictionary(loaded.state.environments.map { ($0.name, $0.assumeRole) },
                               uniquingKeysWith: { a, _ in a })
        let clients = clients
        let writer: @Sendable (PlannedChange) -> any AWSAPI = {
            clients($0.key.region, roles[$0.key.environment] ?? nil)
        }
        let applier = Applier(client: writer, waitTimeout: request.waitTimeout) { change in
            await verifier.verify([change], planned: report, state: state) == [nil]
        }
        let outcomes = await applier.apply(changes, continueOnError: request.continueOnError, starting: { index in
            await journal.progress(intent, index: index, outcome: .unknown, error: JournalEntry.inFlight)
        }, finished: { index, outcome in
            switch outcome {
            case .applied: await journal.progress(intent, index: index, outcome: .applied, error: nil)
            case .failed(let why): await journal.progress(intent, index: index, outcome: .failed, error: why)
            case .notAttempted: break
            }
        })
        let applied = outcomes.filter { $0.1 == .applied }.map(\.0)
        let verdicts = await settle(applied, verifier: verifier, report: plan.report, state: loaded.state,
                                    waitTimeout: request.waitTimeout)
        var unverified: [Int: String] = [:]
        var appliedIndex = 0
        for (index, outcome) in outcomes.enumerated() where outcome.1 == .applied {
            if let verdict = verdicts[appliedIndex] { unverified[index] = verdict }
            appliedIndex += 1
        }
        var entry = intent
        entry.stage = .finished
        entry.changes = outcomes.enumerated().map { index, pair in
            switch pair.1 {
            case .applied:
                return .init(change: pair.0, outcome: .applied, error: unverified[index],
                             verified: unverified[index] == nil, pending: unverified[index] != nil)
            case .failed(let why): return .init(change: pair.0, outcome: .failed, error: why)
            case .notAttempted: return .init(change: pair.0, outcome: .notAttempted)
            }
        }
        return .finished(entry, await journal.finish(entry))
    }

    /// Reads the written resources back until AWS holds every value, or `waitTimeout`
    /// passes (AWS applies some changes over minutes: a table updating, an instance's
    /// pending modifications). Returns, per change, nil when verified, else what the last
    /// read showed.
    func settle(_ applied: [PlannedChange], verifier: Verifier, report: DriftReport, state: DesiredState,
                waitTimeout: TimeInterval) async -> [String?] {
        var verdicts = await verifier.verify(applied, planned: report, state: state)
        let started = Date()
        var pause: TimeInterval = 1
        while verdicts.contains(where: { $0 != nil }), Date().timeIntervalSince(started) + pause <= waitTimeout {
            let waiting = applied.indices.filter { verdicts[$0] != nil }
            let names = waiting.prefix(3).map { "\(applied[$0].call) \(applied[$0].id)" }.joined(separator: ", ")
            let more = waiting.count > 3 ? " and \(waiting.count - 3) more" : ""
            events(.waiting("waiting for AWS to finish \(names)\(more) "
                + "(\(Int(Date().timeIntervalSince(started))) s)"))
            try? await Task.sleep(for: .seconds(pause))
            pause = min(pause * 2, 15)
            let again = await verifier.verify(waiting.map { applied[$0] }, planned: report, state: state)
            for (index, verdict) in zip(waiting, again) { verdicts[index] = verdict }
        }
        return verdicts
    }

    /// A saved plan is applied only when it is what the desired state asks for, made
    /// in the account the credentials are for, and no planned live value has moved; then its changes
    /// are written by the kinds of the resources they are declared as.
    func check(_ saved: SavedPlan, fresh plan: Plan, loaded: LoadedState) async -> SavedPlanVerdict {
        guard let planned = saved.account else {
            return .refused(.wrongAccount("the plan file records no account; make it again with `ballast plan --out`"))
        }
        guard let now = await AccountGuard.planAccount(loaded.state, clients: clients) else {
            return .refused(.wrongAccount("cannot tell which account the credentials are for; "
                + "the plan was made in account \(planned)"))
        }
        guard now == planned else {
            return .refused(.wrongAccount("the credentials are for account \(now); "
                + "the plan was made in account \(planned)"))
        }
        let check = SavedPlanCheck(saved.changes, fresh: plan.report)
        if !check.forged.isEmpty { return .refused(.forged(check.forged)) }
        if !check.stale.isEmpty { return .refused(.stale(check.stale)) }
        return .accepted(check.changes)
    }

    static func describeInterrupted(_ entry: JournalEntry) -> String {
        let count = { (outcome: JournalEntry.Written) in entry.changes.filter { $0.outcome == outcome }.count }
        return "the \(entry.kind.rawValue) before this one (\(entry.id.prefix(8)), by \(entry.actor), started "
            + "\(Timestamp.iso8601(entry.time)), revision \(entry.revision.prefix(12))) was interrupted: "
            + "\(count(.applied)) of \(entry.changes.count) writes made, \(count(.failed)) failed, "
            + "\(count(.unknown)) unknown, \(count(.notAttempted)) not attempted; journaled as interrupted "
            + "(`ballast history` lists them)"
    }

    func release(_ locks: [any ApplyLock]) async {
        for lock in locks.reversed() {
            do { try await lock.release() } catch {
                events(.problem("could not release the lock in \(lock.place): \(error); "
                    + "`ballast unlock --force` removes it"))
            }
        }
    }
}

/// What the check of a saved plan decides: refused, or the changes to write.
enum SavedPlanVerdict {
    case refused(ApplyRefusal)
    case accepted([PlannedChange])
}
