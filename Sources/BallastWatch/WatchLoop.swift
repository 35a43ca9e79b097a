import BallastAWS
import BallastCore
import BallastEngine
import Foundation
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

    init(pass: ReconcilePass, interval: Duration, requests: CountingTransport, metrics: WatchMetrics, logger: Logger,
         health: WatchHealth) {
        self.pass = pass
        self.interval = interval
        self.requests = requests
        self.metrics = metrics
        self.logger = logger
        self.health = health
    }

    func run() async throws {
        var counted = requests.count
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let result = await pass.run()
            let now = requests.count
            let ended = Date()
            metrics.record(result, endedAt: ended.timeIntervalSince1970, newRequests: now - counted)
            log(result, requests: now - counted)
            health.finished(result, at: ended)
            counted = now
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
        }
        logger.info("stopping", metadata: ["reason": "signal"])
    }

    /// One line per pass; every value that came from the repository or AWS escaped.
    func log(_ result: ReconcilePass.Result, requests: Int) {
        var metadata: Logger.Metadata = [
            "outcome": "\(result.outcome.rawValue)",
            "duration_s": "\(String(format: "%.3f", result.duration))",
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

/// What `/healthz` answers: the process serves and its loop has not stopped; with the last pass.
final class WatchHealth: @unchecked Sendable {
    private let lock = NSLock()
    private var last: (outcome: String, revision: String?, at: Date)?

    func finished(_ result: ReconcilePass.Result, at date: Date) {
        lock.withLock { last = (result.outcome.rawValue, result.revision, date) }
    }

    var json: Value {
        lock.withLock {
            guard let last else { return ["status": "ok", "lastRun": .null] }
            return ["status": "ok", "lastRun": [
                "outcome": .string(last.outcome), "revision": last.revision.map { .string($0) } ?? .null,
                "finishedAt": .string(Timestamp.iso8601(last.at)),
            ]]
        }
    }
}
