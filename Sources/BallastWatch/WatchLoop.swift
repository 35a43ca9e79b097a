import BallastAWS
import BallastCore
import BallastEngine
import FoundationEssentials
import Logging
import ServiceLifecycle

/// The reconcile loop as a service: a pass, then a wait of `interval`, until a signal.
/// A signal during a pass lets it finish (an apply is never cut short); a signal
/// during the wait ends the wait.
final class WatchLoop: Service, @unchecked Sendable {
    let pass: ReconcilePass
    let interval: Duration
    let requests: CountingTransport
    let metrics: WatchMetrics
    let logger: Logger
    let health: WatchHealth
    let listening: AsyncStream<Void>
    let shared: WatchShared
    /// Told once, when the first pass has ended (the event loop waits for it).
    let firstPass: AsyncStream<Void>.Continuation?
    /// `--notify`: told of each pass's drift.
    let announcer: WatchAnnouncer?

    init(pass: ReconcilePass, interval: Duration, requests: CountingTransport, metrics: WatchMetrics, logger: Logger,
         health: WatchHealth, listening: AsyncStream<Void>, shared: WatchShared,
         firstPass: AsyncStream<Void>.Continuation? = nil, announcer: WatchAnnouncer? = nil) {
        self.announcer = announcer
        self.shared = shared
        self.firstPass = firstPass
        self.pass = pass
        self.interval = interval
        self.requests = requests
        self.metrics = metrics
        self.logger = logger
        self.health = health
        self.listening = listening
    }

    func run() async throws {
        // Ends at once when the group is cancelled (the server could not bind).
        var gate = listening.makeAsyncIterator()
        guard await gate.next() != nil, !Task.isCancelled else { return }
        var counted = requests.count
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let result = await pass.run()
            let now = requests.count
            let ended = Date()
            let whole = metrics.record(result, endedAt: ended.timeIntervalSince1970, newRequests: now - counted,
                                       shared: shared)
            log(result, requests: now - counted)
            health.finished(result, at: ended)
            firstPass?.yield()
            firstPass?.finish()
            if let announcer, let whole { await announcer.announce(whole) }
            counted = now
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
        logger.info("stopping", metadata: ["reason": "signal"])
    }

    /// One line per pass; every value that came from the repository or AWS escaped.
    func log(_ result: ReconcilePass.Result, requests: Int) {
        var metadata: Logger.Metadata = [
            "outcome": "\(result.outcome.rawValue)",
            "duration_s": "\(Figures.fixed(result.duration, digits: 3))",
            "api_requests": "\(requests)",
        ]
        if let revision = result.revision { metadata["revision"] = "\(revision.prefix(12))" }
        if let pulled = result.pulled { metadata["pulled"] = "\(pulled)" }
        if let summary = result.report?.summary {
            metadata["resources"] = "\(summary.resources)"
            metadata["modified"] = "\(summary.modified)"
            metadata["deleted"] = "\(summary.deleted)"
            metadata["not_checked"] = "\(summary.notChecked)"
        }
        if let detail = result.detail { metadata["detail"] = "\(UntrustedText.line(String(detail.prefix(500))))" }
        switch result.outcome {
        case .error, .healFailed: logger.error("run", metadata: metadata)
        case .notChecked, .healRefused: logger.warning("run", metadata: metadata)
        default: logger.info("run", metadata: metadata)
        }
    }
}

/// What `/healthz` answers, as a Kubernetes probe reads it: 200 while passes succeed and keep
/// coming, 503 once `failuresAllowed` passes in a row failed (an error, or resources AWS did not
/// let it read) or no pass has ended for three intervals (AWS or the loop stalled).
final class WatchHealth: @unchecked Sendable {
    static let failuresAllowed = 3
    private let lock = Lock()
    private let started = Date()
    private let interval: TimeInterval
    private var last: (outcome: ReconcilePass.Outcome, revision: String?, at: Date)?
    private var failuresInARow = 0
    /// `watch --events`: the queue's last answer (and when a message last came), and its last problem.
    private let events: Bool
    private var queueAnsweredAt: Date?
    private var lastMessageAt: Date?
    private var queueProblem: String?

    init(interval: Duration, events: Bool = false) {
        let parts = interval.components
        self.interval = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        self.events = events
    }

    func queueAnswered(messages: Int, at date: Date) {
        lock.withLock {
            queueAnsweredAt = date
            queueProblem = nil
            if messages > 0 { lastMessageAt = date }
        }
    }

    func queueFailed(_ problem: String) {
        lock.withLock { queueProblem = problem }
    }

    func finished(_ result: ReconcilePass.Result, at date: Date) {
        lock.withLock {
            last = (result.outcome, result.revision, date)
            failuresInARow = Self.failed(result.outcome) ? failuresInARow + 1 : 0
        }
    }

    static func failed(_ outcome: ReconcilePass.Outcome) -> Bool {
        [.error, .notChecked, .healFailed].contains(outcome)
    }

    /// Healthy or not at `now`, and the JSON that says why.
    func state(at now: Date) -> (healthy: Bool, json: Value) {
        lock.withLock {
            let since = last?.at ?? started
            let stalled = now.timeIntervalSince(since) > 3 * interval
            var problems: [Value] = []
            if failuresInARow >= Self.failuresAllowed {
                problems.append(.string("\(failuresInARow) passes in a row failed"))
            }
            if stalled {
                problems.append(.string("no pass has ended for \(Int(now.timeIntervalSince(since))) s "
                    + "(three intervals are \(Int(3 * interval)) s)"))
            }
            var json: [String: Value] = ["status": problems.isEmpty ? "ok" : "unhealthy",
                                         "failuresInARow": .int(failuresInARow)]
            if !problems.isEmpty { json["problems"] = .list(problems) }
            if events {
                // A quiet queue is not a failure (the periodic pass goes on), but it is said: CloudTrail's
                // events reach EventBridge on a best-effort basis, and a rule or policy may be wrong.
                var state: [String: Value] = [:]
                let quiet = now.timeIntervalSince(lastMessageAt ?? started)
                state["lastMessageAt"] = lastMessageAt.map { .string(Timestamp.iso8601($0)) } ?? .null
                state["quietSeconds"] = .int(Int(quiet))
                if quiet > interval {
                    state["note"] = .string("no event for \(Int(quiet)) s, longer than the interval between full "
                        + "passes (\(Int(interval)) s): drift is found by those passes until events arrive")
                }
                if let queueProblem { state["problem"] = .string(queueProblem) }
                json["events"] = .map(state)
            }
            json["lastRun"] = last.map { last in [
                "outcome": .string(last.outcome.rawValue), "revision": last.revision.map { .string($0) } ?? .null,
                "finishedAt": .string(Timestamp.iso8601(last.at)),
                "ageSeconds": .int(Int(now.timeIntervalSince(last.at))),
            ] } ?? .null
            return (problems.isEmpty, .map(json))
        }
    }
}
