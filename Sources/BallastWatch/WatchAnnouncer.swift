import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials
import Logging

/// `watch --notify URL`: the webhook hears of an environment's drift as `drift --notify` tells it (the
/// same message, the same state kept with the repository and in the lock table, so a scheduled
/// `drift --notify` and the watch do not both tell one change), from full passes and event reads alike:
/// a hand change an event showed is told within seconds, with who made it. The watch's whole picture is
/// handed over each time; the notifier is asked only when an environment's drift changed since it was
/// last told, and one announcement at a time, in the order the reads ended.
actor WatchAnnouncer {
    let url: String
    let pass: ReconcilePass
    let transport: any HTTPTransport
    let lockTables: LockTables
    let logger: Logger
    /// Each environment's drift as last told without a problem (`DriftNotifier.fingerprint`).
    private var told: [String: String] = [:]
    private var last: Task<Void, Never>?

    init(url: String, pass: ReconcilePass, transport: any HTTPTransport, lockTables: @escaping LockTables,
         logger: Logger) {
        self.url = url
        self.pass = pass
        self.transport = transport
        self.lockTables = lockTables
        self.logger = logger
    }

    /// Tells the webhook what `whole` (every declared resource's last read) changed, after the
    /// announcements before it.
    func announce(_ whole: DriftReport) async {
        let previous = last
        let next = Task { await previous?.value; await self.tell(whole) }
        last = next
        await next.value
    }

    private func tell(_ whole: DriftReport) async {
        let prints = Dictionary(whole.environments.map { ($0.name, DriftNotifier.fingerprint($0)) },
                                uniquingKeysWith: { first, _ in first })
        guard prints != told else { return }
        let loaded: LoadedState
        switch pass.load() {
        case .success(let state): loaded = state
        case .failure(let problem):
            logger.error("notify", metadata: ["problem": "\(UntrustedText.line(problem.description))"])
            return
        }
        let notifier = DriftNotifier(loaded: loaded, transport: transport, lockTables: lockTables)
        let (sent, problems) = await notifier.notify(whole, url: url, always: false)
        // A problem leaves `told` as it was: the next read tries again.
        if problems.isEmpty { told = prints }
        if !sent.isEmpty {
            logger.info("notify", metadata: ["sent": "\(sent.map(UntrustedText.line).joined(separator: ","))"])
        }
        for problem in problems {
            logger.error("notify", metadata: ["problem": "\(UntrustedText.line(String(problem.prefix(500))))"])
        }
    }
}
