import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials
import Logging
import ServiceLifecycle

/// `watch --events`: long-polls the queue `ballast events template` made, maps each CloudTrail event
/// to the declared resources it names, re-reads only those (events for one resource within `window`
/// are one read), reports as a pass does, and removes a message only once it was handled. A message
/// that is not an event is left for the dead-letter queue; an event for nothing declared is removed and
/// counted. The periodic full pass goes on beside it: EventBridge delivers CloudTrail's events on a
/// best-effort basis.
final class EventLoop: Service, @unchecked Sendable {
    let queue: EventQueue
    let pass: ReconcilePass
    let metrics: WatchMetrics
    let logger: Logger
    let health: WatchHealth
    let shared: WatchShared
    /// Opens after the first full pass: its reads give a `ref`'s physical id.
    let ready: AsyncStream<Void>
    /// `--notify`: told of what each read changed in the whole picture.
    let announcer: WatchAnnouncer?

    /// Events for one resource within this window (longer while a burst keeps coming) are one read:
    /// short, as every event waits for it.
    static let window: Duration = .milliseconds(250)
    /// Messages, and their bytes, gathered into one read at most: a burst is read in as few reads as
    /// this allows, and no burst holds more than 16 MiB of messages at once.
    static let mostPerRead = 1_000
    static let mostBytesPerRead = 16 << 20

    init(queue: EventQueue, pass: ReconcilePass, metrics: WatchMetrics, logger: Logger, health: WatchHealth,
         shared: WatchShared, ready: AsyncStream<Void>, announcer: WatchAnnouncer? = nil) {
        self.announcer = announcer
        self.queue = queue
        self.pass = pass
        self.metrics = metrics
        self.logger = logger
        self.health = health
        self.shared = shared
        self.ready = ready
    }

    func run() async throws {
        var gate = ready.makeAsyncIterator()
        guard await gate.next() != nil, !Task.isCancelled else { return }
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let batch: [QueueMessage]
            do {
                batch = try await cancelWhenGracefulShutdown { try await self.collect() }
                failures = 0
                health.queueAnswered(messages: batch.count, at: Date())
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                failures += 1
                let said = UntrustedText.line(String("\(error)".prefix(500)))
                health.queueFailed(said)
                logger.error("events", metadata: ["queue": "\(UntrustedText.line(queue.url))", "problem": "\(said)",
                                                  "failures_in_a_row": "\(failures)"])
                // The backstop pass goes on; the queue is asked again after a growing pause.
                let pause = min(60, 1 << min(failures, 6))
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(pause)) }
                continue
            }
            if !batch.isEmpty { await handle(batch) }
        }
    }

    /// A long poll, then what else arrives within `window` and, past it, whatever the queue still hands
    /// over in full batches (a burst is drained, not cut at the window), up to `mostPerRead` messages and
    /// `mostBytesPerRead` bytes.
    func collect() async throws -> [QueueMessage] {
        var messages = try await queue.receive()
        guard !messages.isEmpty else { return [] }
        var bytes = messages.reduce(0) { $0 + $1.body.utf8.count }
        let until = ContinuousClock.now + Self.window
        while messages.count < Self.mostPerRead, bytes < Self.mostBytesPerRead {
            let more = try await queue.receive(wait: 0)
            messages += more
            bytes += more.reduce(0) { $0 + $1.body.utf8.count }
            if more.count == EventQueue.batch { continue }  // a burst: drained
            guard ContinuousClock.now < until else { break }
            if more.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        return messages
    }

    func handle(_ batch: [QueueMessage]) async {
        metrics.eventsReceived.increment(by: batch.count)
        let loaded: LoadedState
        switch pass.load() {
        case .failure(let problem):
            // Nothing is removed: the messages come back after the queue's visibility timeout.
            logger.error("events", metadata: ["problem": "\(UntrustedText.line(problem.description))"])
            return
        case .success(let state):
            loaded = state
        }
        let sorted = EventSorting(batch, state: loaded.state, physicalIds: shared.physicalIds)
        metrics.eventsMatched.increment(by: sorted.matched)
        metrics.eventsMalformed.increment(by: sorted.malformed.count)
        for (message, problem) in sorted.malformed {
            logger.warning("event", metadata: ["message_id": "\(UntrustedText.line(message.id))",
                                               "problem": "\(problem.description)", "left_for": "dead-letter queue"])
        }
        var remove = sorted.unmatched
        var whole: DriftReport?
        if !sorted.changes.isEmpty {
            for (key, change) in sorted.changes { shared.received(change, for: key) }
            let result = await pass.run(changes: sorted.changes, loaded: loaded)
            let reported = Date()
            var detections: [Double] = []
            if let report = result.report {
                for drift in report.resources where drift.status != .inSync {
                    guard let change = sorted.changes[drift.key], !change.event.claimsBallast else { continue }
                    let seconds = max(0, reported.timeIntervalSince(change.time))
                    detections.append(seconds)
                    metrics.detection.recordNanoseconds(Int64(seconds * 1e9))
                }
                let merged = shared.merge(report)
                metrics.recordResources(merged, at: reported, shared: shared)
                whole = merged
            }
            log(result, sorted: sorted, detections: detections, at: reported)
            // A read that failed is tried again: its messages come back after the visibility timeout.
            if result.outcome != .error && result.outcome != .notChecked { remove += sorted.matchedMessages }
        }
        let failed = await queue.delete(remove)
        if let first = failed.first {
            logger.warning("events", metadata: ["not_removed": "\(failed.count)", "problem": "\(first.reason)",
                                                "detail": "they come back and are read again"])
        }
        if let announcer, let whole { await announcer.announce(whole) }
    }

    /// One line per read; `detection_s` lists each drifted resource's time from its event to this line.
    /// `reported_at` (to the millisecond) is when its drift was known.
    func log(_ result: ReconcilePass.Result, sorted: EventSorting, detections: [Double], at reported: Date) {
        var metadata: Logger.Metadata = [
            "outcome": "\(result.outcome.rawValue)", "duration_s": "\(Figures.fixed(result.duration, digits: 3))",
            "events": "\(sorted.received)", "matched": "\(sorted.matched)", "resources": "\(sorted.changes.count)",
            "reported_at": "\(Timestamp.iso8601(reported, milliseconds: true))",
        ]
        if let report = result.report {
            let changed = report.resources.filter { $0.status != .inSync }.prefix(20).map { drift in
                let who = drift.attribution?.live.map { " by \($0.by) via \($0.via) (\($0.cause ?? ""))" } ?? ""
                return "\(drift.resource.type) \(drift.displayId) \(drift.status.rawValue)\(who)"
            }
            if !changed.isEmpty {
                metadata["drift"] = "\(UntrustedText.line(changed.joined(separator: "; ")))"
            }
        }
        if !detections.isEmpty {
            metadata["detection_s"] = "\(detections.map { Figures.fixed($0, digits: 3) }.joined(separator: ","))"
        }
        if let detail = result.detail { metadata["detail"] = "\(UntrustedText.line(String(detail.prefix(500))))" }
        logger.info("events", metadata: metadata)
    }
}

/// A batch of messages sorted: the resources events name (the newest event for each), the messages
/// that named something, those that named nothing declared, and those that are not events.
struct EventSorting {
    var received = 0
    var matched = 0
    var changes: [ResourceKey: ChangeEvent] = [:]
    var matchedMessages: [QueueMessage] = []
    var unmatched: [QueueMessage] = []
    var malformed: [(QueueMessage, ChangeEvent.Problem)] = []

    init(_ batch: [QueueMessage], state: DesiredState, physicalIds: [ResourceKey: String]) {
        received = batch.count
        for message in batch {
            switch ChangeEvent.parse(message.body) {
            case .failure(let problem):
                malformed.append((message, problem))
            case .success(let change):
                let keys = change.resources(in: state, physicalIds: physicalIds)
                guard !keys.isEmpty else {
                    unmatched.append(message)
                    continue
                }
                matched += 1
                matchedMessages.append(message)
                for key in keys where changes[key].map({ $0.time <= change.time }) ?? true { changes[key] = change }
            }
        }
    }
}

/// What the full passes and the event-driven ones share: the last read of every resource (a `ref`'s
/// physical id, the statuses `/metrics` shows), and since when each drifted resource has been drifted.
final class WatchShared: @unchecked Sendable {
    private let lock = Lock()
    private var report: DriftReport?
    private var since: [ResourceKey: Date] = [:]
    /// What the watch saw of each resource for the status page: its drift episodes and the events it
    /// received, newest last, at most `seenPerResource` of each.
    private var seen: [ResourceKey: [HistoryEntry]] = [:]
    /// When the last full pass ended.
    private var lastFull: Date?
    static let seenPerResource = 20

    /// The report as it now stands, when the last full pass ended, and what the watch saw of each resource.
    var snapshot: (report: DriftReport?, lastFull: Date?, seen: [ResourceKey: [HistoryEntry]]) {
        lock.withLock { (report, lastFull, seen) }
    }

    /// An event received for a resource (`--events`): kept for its history.
    func received(_ change: ChangeEvent, for key: ResourceKey) {
        let event = change.event
        record(HistoryEntry(.event, at: event.time, said: "\(event.eventName) (\(event.eventSource))",
                            by: event.by, reference: event.eventId), for: key)
    }

    private func record(_ entry: HistoryEntry, for key: ResourceKey) {
        lock.withLock { keep(entry, for: key) }
    }

    /// Adds what the watch saw of a resource, keeping the newest `seenPerResource` (called with the lock held).
    private func keep(_ entry: HistoryEntry, for key: ResourceKey) {
        var entries = seen[key] ?? []
        entries.append(entry)
        seen[key] = Array(entries.suffix(Self.seenPerResource))
    }

    var physicalIds: [ResourceKey: String] {
        lock.withLock {
            Dictionary((report?.resources ?? []).compactMap { drift in drift.physicalId.map { (drift.key, $0) } },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    /// A full pass's report replaces the last; a partial one's resources replace theirs in it.
    /// Returns the whole, as it now stands.
    func merge(_ partial: DriftReport, full: Bool = false) -> DriftReport {
        lock.withLock {
            guard !full, var whole = report else {
                report = partial
                lastFull = partial.generatedAt
                return partial
            }
            let fresh = Dictionary(partial.resources.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            for e in whole.environments.indices {
                for r in whole.environments[e].resources.indices {
                    if let drift = fresh[whole.environments[e].resources[r].key] {
                        whole.environments[e].resources[r] = drift
                    }
                }
            }
            report = whole
            return whole
        }
    }

    /// Drifted resources and since when (first seen drifted by any pass); those back in sync, with how
    /// long they were drifted.
    func ages(of report: DriftReport, at date: Date)
        -> (drifted: [(ResourceDrift, Date)], resolved: [(ResourceKey, TimeInterval)]) {
        lock.withLock {
            var drifted: [(ResourceDrift, Date)] = []
            var resolved: [(ResourceKey, TimeInterval)] = []
            for drift in report.resources {
                if drift.status == .modified || drift.status == .deleted {
                    let start = since[drift.key] ?? drift.attribution?.live?.at ?? date
                    if since[drift.key] == nil { opened(drift, at: start) }
                    // Who made an open episode's change, once an event or an explanation says.
                    if let by = drift.attribution?.live?.by,
                       let last = seen[drift.key]?.lastIndex(where: { $0.source == .drift && $0.ended == nil }),
                       seen[drift.key]?[last].by == nil {
                        seen[drift.key]?[last].by = by
                    }
                    since[drift.key] = start
                    drifted.append((drift, start))
                } else if drift.status == .inSync, let start = since.removeValue(forKey: drift.key) {
                    resolved.append((drift.key, date.timeIntervalSince(start)))
                    if let last = seen[drift.key]?.lastIndex(where: { $0.source == .drift && $0.ended == nil }) {
                        seen[drift.key]?[last].ended = date
                    }
                }
            }
            return (drifted, resolved)
        }
    }

    /// A drift episode begins (called with the lock held): what differed, and who changed it when known.
    private func opened(_ drift: ResourceDrift, at start: Date) {
        let said = drift.status == .deleted ? "does not exist"
            : drift.differences.map { "\(PropertyPath.readable($0.path)) \($0.actual?.description ?? "(none)")" }
                .joined(separator: ", ")
        let episode = HistoryEntry(.drift, at: start, said: "drifted: " + said, by: drift.attribution?.live?.by)
        keep(episode, for: drift.key)
    }
}
