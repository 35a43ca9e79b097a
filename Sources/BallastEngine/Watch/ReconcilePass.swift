import BallastCore
import BallastDesiredState
import BallastGit
import BallastKinds
import FoundationEssentials

/// One pass of `ballast watch`: fast-forward the repository (with `pull`), read the
/// desired state afresh, detect drift, and (with `selfHeal`) apply the fix through
/// the same `ApplyRun` as `ballast apply`, under its lock, journal, policies and
/// change windows. It returns what happened; the server turns that into metrics and a log line.
public struct ReconcilePass: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        case inSync = "in_sync", drift, notChecked = "not_checked", healed, healFailed = "heal_failed",
             healRefused = "heal_refused", error
    }

    public struct Result: Sendable {
        public var outcome: Outcome
        public var revision: String?
        public var report: DriftReport?
        /// The fast-forward `pull` made, as `old..new`.
        public var pulled: String?
        /// Why the pass failed, the heal was refused, or what the heal wrote.
        public var detail: String?
        public var duration: TimeInterval = 0
    }

    let request: LoadRequest
    let pull: Bool
    let selfHeal: Bool
    let clients: AWSClients
    let lockTables: LockTables
    let kinds: Kinds
    let clock: @Sendable () -> Date
    /// `BALLAST_PLAN_KEY`, for the holds' MACs.
    let holdKey: [UInt8]?

    public init(kinds: Kinds, request: LoadRequest, pull: Bool, selfHeal: Bool, clients: @escaping AWSClients,
                lockTables: @escaping LockTables, clock: @escaping @Sendable () -> Date = { Date() },
                holdKey: [UInt8]? = nil) {
        self.lockTables = lockTables
        self.holdKey = holdKey
        self.kinds = kinds
        self.request = request
        self.pull = pull
        self.selfHeal = selfHeal
        self.clients = clients
        self.clock = clock
    }

    public func run() async -> Result {
        let started = clock()
        var result = await pass()
        result.duration = clock().timeIntervalSince(started)
        return result
    }

    private func pass() async -> Result {
        var pulled: String?
        if pull {
            do {
                let repository = try GitRepository(discoveringFrom: request.repositoryPath)
                if case .fastForwarded(let old, let new) = try repository.pullFastForward() {
                    pulled = "\(old.shortSHA)..\(new.shortSHA)"
                }
            } catch {
                return Result(outcome: .error, detail: "pull: \(error)")
            }
        }
        let loaded: LoadedState
        do {
            loaded = try DesiredStateLoader(kinds: kinds).load(request)
        } catch {
            return Result(outcome: .error, pulled: pulled, detail: "\(error)")
        }
        guard loaded.diagnostics.isEmpty else {
            return Result(outcome: .error, revision: loaded.revision, pulled: pulled,
                          detail: "\(loaded.diagnostics.count) mistake(s) in the desired state, "
                              + "first: \(loaded.diagnostics[0])")
        }
        var detector = DriftDetector(kinds: kinds, clients: clients, lockTables: lockTables)
        detector.holdKey = holdKey
        let report = await detector.detect(loaded, now: clock()).report
        var result = Result(outcome: .inSync, revision: loaded.revision, report: report, pulled: pulled)
        let summary = report.summary
        if summary.notChecked > 0 {
            result.outcome = .notChecked
            return result
        }
        guard summary.hasDrift else { return result }
        result.outcome = .drift
        // A held difference is never healed: only what no hold keeps.
        guard selfHeal, summary.modified - summary.held > 0 else { return result }
        return await heal(loaded, result)
    }

    /// The desired state as a pass reads it (without pulling: the full pass pulls), or why it cannot be used.
    public func load() -> Swift.Result<LoadedState, LoadError> {
        do {
            let loaded = try DesiredStateLoader(kinds: kinds).load(request)
            guard loaded.diagnostics.isEmpty else {
                return .failure(LoadError("\(loaded.diagnostics.count) mistake(s) in the desired state, "
                    + "first: \(loaded.diagnostics[0])"))
            }
            return .success(loaded)
        } catch {
            return .failure(error)
        }
    }

    /// An event-driven pass (`watch --events`): only the resources events named are read, each drifted
    /// one attributed to its event (who, how, when; no `LookupEvents` call), except a change that says it
    /// is ballast's own (its user agent), which is read but never put on someone else. Healed as a full
    /// pass heals, touching only those resources.
    public func run(changes: [ResourceKey: ChangeEvent], loaded: LoadedState) async -> Result {
        let started = clock()
        var detector = DriftDetector(kinds: kinds, clients: clients, lockTables: lockTables)
        detector.holdKey = holdKey
        var report = await detector.detect(loaded, only: Set(changes.keys), now: clock())
        for (e, environment) in report.environments.enumerated() {
            for (r, drift) in environment.resources.enumerated() where drift.status != .inSync {
                guard let change = changes[drift.key], !change.event.claimsBallast else { continue }
                let event = change.event
                var attribution = drift.attribution ?? Attribution()
                attribution.live = .init(by: event.by, at: event.time, via: event.via, eventId: event.eventId,
                                         cause: event.call)
                report.environments[e].resources[r].attribution = attribution
            }
        }
        var result = Result(outcome: .inSync, revision: loaded.revision, report: report)
        let summary = report.summary
        if summary.notChecked > 0 {
            result.outcome = .notChecked
        } else if summary.hasDrift {
            result.outcome = .drift
            if selfHeal, summary.modified - summary.held > 0 {
                var only = loaded
                only.state = loaded.state.keeping(Set(changes.keys))
                result = await heal(only, result)
            }
        }
        result.duration = clock().timeIntervalSince(started)
        return result
    }

    private func heal(_ loaded: LoadedState, _ drifted: Result) async -> Result {
        var result = drifted
        let heal = ApplyRun(kinds: kinds, clients: clients, lockTables: lockTables,
                            gitDirectory: loaded.gitDirectory, clock: clock, confirm: { _ in true },
                            actor: "ballast watch --self-heal", holdKey: holdKey)
        switch await heal.run(loaded, ApplyRequest(kind: .apply, waitTimeout: 120)) {
        case .refused(let refusal):
            result.outcome = .healRefused
            result.detail = Self.describe(refusal)
        case .nothingToWrite:
            break
        case .finished(let entry, _):
            result.outcome = entry.outcome == .applied || entry.outcome == .pending ? .healed : .healFailed
            result.detail = "\(entry.changes.count) change(s) \(entry.outcome.rawValue), journal \(entry.id)"
        }
        return result
    }

    static func describe(_ refusal: ApplyRefusal) -> String {
        switch refusal {
        case .locked(let held): return "another apply holds the lock (\(held))"
        case .lockFailed(let why): return "the lock could not be taken: \(why)"
        case .notChecked: return "some resources could not be read"
        case .forged, .stale: return "the plan changed under it"
        case .wrongAccount(let why): return why
        case .denied(let results):
            return "denied by policy: " + Set(results.filter(\.blocks).map(\.policy)).sorted().joined(separator: ", ")
        case .outsideWindows(let environments):
            return "outside the change window of " + environments.joined(separator: ", ")
        case .declined: return "declined"
        case .journal(let why): return "the journal could not be written: \(why)"
        }
    }
}
