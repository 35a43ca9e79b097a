import BallastCore
import BallastEngine
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

    func record(_ result: ReconcilePass.Result, endedAt: Double, newRequests: Int) {
        if let report = result.report {
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
        }
        lastRun.record(endedAt)
        lastDuration.record(result.duration)
        requests.increment(by: newRequests)
        Self.runs(result.outcome).increment()
    }
}
