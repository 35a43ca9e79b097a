import BallastCore
import BallastEngine
import FoundationEssentials
import Metrics

/// What `/metrics` shows, recorded through swift-metrics (the command bootstraps it
/// with swift-prometheus): per environment and status the resources of the last read,
/// when the last pass ended and how long it took, AWS calls, and passes by outcome.
struct WatchMetrics: Sendable {
    static let statuses: [(DriftStatus, String)] = [
        (.inSync, "in_sync"), (.modified, "modified"), (.deleted, "deleted"), (.notChecked, "not_checked"),
    ]
    let lastRun = Gauge(label: "ballast_last_run_timestamp_seconds")
    let lastDuration = Gauge(label: "ballast_last_run_duration_seconds")
    let requests = Counter(label: "ballast_api_requests_total")

    /// Every outcome's counter exists from the start (at 0), so a rate() sees its first increment.
    init() {
        for outcome in ReconcilePass.Outcome.allCases { Self.runs(outcome).increment(by: 0) }
    }

    static func runs(_ outcome: ReconcilePass.Outcome) -> Counter {
        Counter(label: "ballast_runs_total", dimensions: [("outcome", outcome.rawValue)])
    }

    /// `watch --events`: messages taken from the queue, events that named a declared resource, and
    /// messages that were not events (left for the dead-letter queue).
    let eventsReceived = Counter(label: "ballast_events_received_total")
    let eventsMatched = Counter(label: "ballast_events_matched_total")
    let eventsMalformed = Counter(label: "ballast_events_malformed_total")
    /// From an event's time to the drift it showed reported.
    let detection = Metrics.Timer(label: "ballast_detection_seconds")
    /// How long a drifted resource stayed drifted, once it is back in sync: time to remediate.
    let resolved = Metrics.Timer(label: "ballast_drift_resolved_seconds")

    /// The histograms' buckets: detection within seconds, remediation within minutes to days.
    static let buckets: [String: [Duration]] = [
        "ballast_detection_seconds": [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
                                      .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900)],
        "ballast_drift_resolved_seconds": [.seconds(60), .seconds(300), .seconds(900), .seconds(3_600),
                                           .seconds(4 * 3_600), .seconds(86_400), .seconds(7 * 86_400)],
    ]

    /// Returns the pass's report, now the watch's whole picture (none when the pass read nothing).
    @discardableResult
    func record(_ result: ReconcilePass.Result, endedAt: Double, newRequests: Int,
                shared: WatchShared) -> DriftReport? {
        var whole: DriftReport?
        if let report = result.report {
            let ended = Date(timeIntervalSince1970: endedAt)
            let merged = shared.merge(report, full: true)
            recordResources(merged, at: ended, shared: shared)
            whole = merged
        }
        lastRun.record(endedAt)
        lastDuration.record(result.duration)
        requests.increment(by: newRequests)
        Self.runs(result.outcome).increment()
        return whole
    }

    /// The resources of the last read of each, by environment and status; held differences; each drifted
    /// resource's age (`ballast_drift_age_seconds`, from when a pass first saw it drifted); and the time
    /// each one that came back in sync had been drifted.
    func recordResources(_ report: DriftReport, at date: Date, shared: WatchShared) {
        for environment in report.environments {
            let name = UntrustedText.line(environment.name)
            for (status, label) in Self.statuses {
                let count = environment.resources.filter { $0.status == status }.count
                Gauge(label: "ballast_resources", dimensions: [("environment", name), ("status", label)])
                    .record(count)
            }
            // Differences a hold keeps (`ballast hold`): known hand changes, not open drift.
            let held = environment.resources.reduce(0) { $0 + $1.differences.filter { $0.held != nil }.count }
            Gauge(label: "ballast_held_properties", dimensions: [("environment", name)]).record(held)
        }
        let (drifted, backInSync) = shared.ages(of: report, at: date)
        for (drift, since) in drifted {
            Self.age(drift.key).record(date.timeIntervalSince(since))
        }
        for (key, seconds) in backInSync {
            Self.age(key).destroy()
            resolved.recordNanoseconds(Int64(seconds * 1e9))
        }
    }

    static func age(_ key: ResourceKey) -> Gauge {
        Gauge(label: "ballast_drift_age_seconds", dimensions: [
            ("environment", UntrustedText.line(key.environment)), ("type", UntrustedText.line(key.type)),
            ("region", UntrustedText.line(key.region)), ("id", UntrustedText.line(key.id)),
        ])
    }
}
