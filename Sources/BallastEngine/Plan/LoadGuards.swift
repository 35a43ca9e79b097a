import BallastCore
import Foundation

/// Before a plan lowers a capacity, the last `window` of the metric that says what it carries (each
/// kind's `guards`): one `GetMetricData` for up to 500 metrics of one environment and region, paced as
/// every call. A change whose new value is below the highest value observed carries a `ChangeGuard`; so
/// does one whose metric said nothing, or could not be read (the load is unknown, never safe).
public struct LoadGuards: Sendable {
    public static let getMetricData = APIOperation(.cloudWatch, "GetMetricData")
    /// "You can include up to 500 MetricDataQuery structures in one GetMetricData request" (Amazon
    /// CloudWatch API Reference, GetMetricData).
    static let queriesPerCall = 500
    /// One datapoint a minute: the finest period CloudWatch keeps for standard-resolution metrics
    /// (Amazon CloudWatch User Guide, "Metrics concepts": periods of 60 seconds or a multiple).
    static let period = 60
    /// "A single GetMetricData call can return up to 100,800 data points" (Amazon CloudWatch API Reference,
    /// GetMetricData): a call asks for no more metrics than fill it, so each answer is one whole page.
    static let pointsPerCall = 100_800

    let clients: AWSClients
    /// `--guard-window`: how far back the load is read.
    let window: TimeInterval

    public init(clients: @escaping AWSClients, window: TimeInterval = 3_600) {
        self.clients = clients
        self.window = window
    }

    /// `1h`, `30m`, `90s`: the window as the plan says it.
    var windowText: String {
        if window.truncatingRemainder(dividingBy: 3_600) == 0 { return "\(Int(window / 3_600))h" }
        if window.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(window / 60))m" }
        return "\(Int(window))s"
    }

    /// Metrics a call: 500, or fewer when the window's one-minute points would not fit one answer (a week
    /// of them is 10,080 a metric: 10 metrics a call).
    var metricsPerCall: Int { Self.metricsPerCall(window: window) }

    public static func metricsPerCall(window: TimeInterval) -> Int {
        let points = max(1, Int((window / Double(period)).rounded(.up)))
        return max(1, min(queriesPerCall, pointsPerCall / points))
    }

    /// The most `GetMetricData` calls a plan of `state` can make (`--dry-run-reads`): every declared
    /// capacity cut, per environment and region, `metricsPerCall` a call.
    public static func mostCalls(_ state: DesiredState, window: TimeInterval) -> Int {
        let metricsPerCall = metricsPerCall(window: window)
        var cuts: [ResourcePlace: Int] = [:]
        for environment in state.environments {
            for resource in environment.resources {
                let paths = (resource.kind?.schema.guards ?? []).filter { guardrail in
                    guard let top = guardrail.path.split(separator: "/").first else { return false }
                    return resource.properties[String(top)] != nil
                }
                guard !paths.isEmpty else { continue }
                cuts[ResourcePlace(environment: environment.name, region: resource.region), default: 0] += paths.count
            }
        }
        return cuts.values.reduce(0) { $0 + ($1 + metricsPerCall - 1) / metricsPerCall }
    }

    /// `changes` with a guard on each capacity cut the load does not allow, or cannot vouch for, and what
    /// could not be read (a cut whose metric could not be read is guarded as unknown, and said here).
    public func guarded(_ changes: [PlannedChange], in state: DesiredState,
                        now: Date) async -> (changes: [PlannedChange], problems: [String]) {
        struct Cut {
            let change: Int
            let guardrail: LoadGuard
            let limit: Double
        }
        var cuts: [ResourcePlace: [Cut]] = [:]
        for (index, change) in changes.enumerated() {
            for guardrail in change.kind?.schema.guards ?? [] {
                guard let limit = guardrail.cut(in: change) else { continue }
                let place = ResourcePlace(environment: change.key.environment, region: change.key.region)
                cuts[place, default: []].append(Cut(change: index, guardrail: guardrail, limit: limit))
            }
        }
        var out = changes, problems: [String] = []
        let places = cuts.keys.sorted { ($0.environment, $0.region) < ($1.environment, $1.region) }
        for place in places {
            let all = cuts[place] ?? []
            let role = state.environments.first { $0.name == place.environment }?.assumeRole
            let client = clients(place.region, role)
            for start in stride(from: 0, to: all.count, by: metricsPerCall) {
                let batch = Array(all[start..<min(start + metricsPerCall, all.count)])
                var peaks: [Int: Double] = [:]
                do {
                    peaks = try await read(batch.map { (changes[$0.change].id, $0.guardrail) }, client, now)
                } catch {
                    problems.append("the load of \(batch.count) capacity cut(s) in \(place.environment) "
                        + "(\(place.region)) could not be read, so it is unknown: "
                        + UntrustedText.line(String("\(error)".prefix(500))))
                }
                for (n, cut) in batch.enumerated() {
                    let from = changes[cut.change].set[cut.guardrail.path]?.from
                    let observed = peaks[n].flatMap {
                        cut.guardrail.needed(peak: $0, period: Double(Self.period), from: from)
                    }
                    // One guard a change: its first capacity the load does not vouch for (MaxSize before
                    // DesiredCapacity, as the kind lists them).
                    guard observed.map({ cut.limit < $0 }) ?? true, out[cut.change].loadGuard == nil else { continue }
                    out[cut.change].loadGuard = ChangeGuard(metric: cut.guardrail.metric, observed: observed,
                                                            window: windowText, limit: cut.limit)
                }
            }
        }
        return (out, problems)
    }

    /// The highest value of each metric in the window, by its place in `metrics`; absent when it had none.
    func read(_ metrics: [(id: String, guardrail: LoadGuard)], _ client: any AWSAPI,
              _ now: Date) async throws -> [Int: Double] {
        var parameters = [
            "StartTime": Timestamp.iso8601(now.addingTimeInterval(-window)), "EndTime": Timestamp.iso8601(now),
            "ScanBy": "TimestampDescending",
        ]
        // A lookup's answers, by the ARN it read: one call for every stage of one API.
        var answers: [String: Value] = [:]
        for (n, metric) in metrics.enumerated() {
            var dimensions = metric.guardrail.dimensions(metric.id)
            if let lookup = metric.guardrail.lookup {
                let arn = lookup.arn(metric.id, client.region)
                let answer: Value
                if let known = answers[arn] { answer = known } else {
                    answer = try await lookup.call(metric.id, client)
                    answers[arn] = answer
                }
                dimensions = try lookup.dimensions(metric.id, answer)
            }
            let query = "MetricDataQueries.member.\(n + 1)."
            parameters[query + "Id"] = "m\(n)"
            parameters[query + "MetricStat.Metric.Namespace"] = metric.guardrail.namespace
            parameters[query + "MetricStat.Metric.MetricName"] = metric.guardrail.metricName
            for (d, dimension) in dimensions.enumerated() {
                parameters[query + "MetricStat.Metric.Dimensions.member.\(d + 1).Name"] = dimension.name
                parameters[query + "MetricStat.Metric.Dimensions.member.\(d + 1).Value"] = dimension.value
            }
            parameters[query + "MetricStat.Period"] = "\(Self.period)"
            parameters[query + "MetricStat.Stat"] = metric.guardrail.statistic
            parameters[query + "ReturnData"] = "true"
        }
        // An hour of one-minute points for 500 metrics is 30,000 values: one page of the 100,800 a call
        // returns; the pages are bounded all the same.
        let pages = try await client.queryPages(Self.getMetricData, parameters, maxPages: 20)
        var peaks: [Int: Double] = [:]
        for page in pages {
            for result in page.child("MetricDataResults")?.children ?? [] {
                guard let id = result.child("Id")?.text, id.hasPrefix("m"), let n = Int(id.dropFirst()),
                      metrics.indices.contains(n) else { continue }
                let values = (result.child("Values")?.children ?? []).compactMap { Double($0.text) }
                    .filter(\.isFinite)
                if let most = values.max() { peaks[n] = max(peaks[n] ?? most, most) }
            }
        }
        return peaks
    }
}

/// An environment's region: where one `GetMetricData` reads.
struct ResourcePlace: Hashable {
    let environment: String
    let region: String
}
