import BallastCore
import FoundationEssentials

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
    /// capacity cut, per environment and region, `metricsPerCall` metrics a call (a cut may read several:
    /// an ElastiCache group's member clusters).
    public static func mostCalls(_ state: DesiredState, window: TimeInterval) -> Int {
        let metricsPerCall = metricsPerCall(window: window)
        var metrics: [ResourcePlace: Int] = [:]
        for (place, resource, guardrail) in declaredCapacities(state) {
            metrics[place, default: 0] += guardrail.mostMetrics(resource)
        }
        return metrics.values.reduce(0) { $0 + ($1 + metricsPerCall - 1) / metricsPerCall }
    }

    /// The most calls a plan of `state` makes for what its capacities' metrics need (a REST API's name, a
    /// group's members, node types' memory), by operation: one per ARN each reads, per environment and region.
    public static func mostLookups(_ state: DesiredState) -> [APIOperation: Int] {
        var arns: [APIOperation: Set<String>] = [:]
        for (place, resource, guardrail) in declaredCapacities(state) {
            for lookup in guardrail.lookups {
                let id: String
                switch resource.identity {
                case .id(let physical): id = physical
                case .ref, .output: id = "\(resource.key.text)" // one a resource: its id is known only then
                }
                let arn = lookup.arn(id, place.region, "*")
                arns[lookup.operation, default: []].insert("\(place.environment) \(place.region) \(arn)")
            }
        }
        return arns.mapValues(\.count)
    }

    /// Each capacity a resource of `state` declares, with where it is.
    static func declaredCapacities(_ state: DesiredState) -> [(ResourcePlace, DesiredResource, LoadGuard)] {
        var out: [(ResourcePlace, DesiredResource, LoadGuard)] = []
        for environment in state.environments {
            for resource in environment.resources {
                for guardrail in resource.kind?.schema.guards ?? [] {
                    guard let top = guardrail.path.split(separator: "/").first,
                          resource.properties[String(top)] != nil else { continue }
                    out.append((ResourcePlace(environment: environment.name, region: resource.region), resource,
                                guardrail))
                }
            }
        }
        return out
    }

    /// `changes` with a guard on each capacity cut the load does not allow, or cannot vouch for, and what
    /// could not be read (a cut whose metric could not be read is guarded as unknown, and said here).
    public func guarded(_ changes: [PlannedChange], in state: DesiredState,
                        now: Date) async -> (changes: [PlannedChange], problems: [String]) {
        var candidates: [ResourcePlace: [(change: Int, guardrail: LoadGuard)]] = [:]
        for (index, change) in changes.enumerated() {
            for guardrail in change.kind?.schema.guards ?? [] {
                // A cut its values say alone, or a change only the lookups can tell is one.
                guard guardrail.cutNeedsLookups ? guardrail.isSet(in: change) : guardrail.cut(in: change) != nil
                else { continue }
                let place = ResourcePlace(environment: change.key.environment, region: change.key.region)
                candidates[place, default: []].append((index, guardrail))
            }
        }
        var out = changes, problems: [String] = []
        let places = candidates.keys.sorted { ($0.environment, $0.region) < ($1.environment, $1.region) }
        for place in places {
            let role = state.environments.first { $0.name == place.environment }?.assumeRole
            let client = clients(place.region, role)
            let (cuts, queries, lookupProblems) = await self.cuts(candidates[place] ?? [], of: changes, client)
            problems += lookupProblems
            var peaks: [Int: Double] = [:], unread = Set(cuts.indices.filter { cuts[$0].unknown })
            for start in stride(from: 0, to: queries.count, by: metricsPerCall) {
                let batch = Array(queries[start..<min(start + metricsPerCall, queries.count)])
                do {
                    let metrics = batch.map { (cuts[$0.cut].guardrail, $0.dimensions) }
                    for (n, peak) in try await read(metrics, client, now) {
                        peaks[batch[n].cut] = max(peaks[batch[n].cut] ?? peak, peak)
                    }
                } catch {
                    let unreadCuts = Set(batch.map(\.cut))
                    unread.formUnion(unreadCuts)
                    problems.append("the load of \(unreadCuts.count) capacity cut(s) in \(place.environment) "
                        + "(\(place.region)) could not be read, so it is unknown: "
                        + UntrustedText.line(String("\(error)".prefix(500))))
                }
            }
            for (n, cut) in cuts.enumerated() {
                let from = changes[cut.change].set[cut.guardrail.path]?.from
                let observed = unread.contains(n) ? nil : peaks[n].flatMap {
                    cut.guardrail.needed(peak: $0, period: Double(Self.period), from: from)
                }
                // One guard a change: its first capacity the load does not vouch for (MaxSize before
                // DesiredCapacity, as the kind lists them).
                guard observed.map({ cut.limit < $0 }) ?? true, out[cut.change].loadGuard == nil else { continue }
                out[cut.change].loadGuard = ChangeGuard(metric: cut.guardrail.metric, observed: observed,
                                                        window: windowText, limit: cut.limit,
                                                        limitName: cut.guardrail.limitName)
            }
        }
        return (out, problems)
    }

    /// A capacity a change lowers, and whether its load is unknown already (a lookup its metric needed failed).
    struct Cut {
        let change: Int
        let guardrail: LoadGuard
        let limit: Double
        var unknown = false
    }

    /// A lookup that failed, kept so that the resources sharing it do not ask again.
    struct LookupFailure: Error, CustomStringConvertible {
        let said: String
        var description: String { said }
    }

    /// One metric to read: the cut it is for (by its place in the cuts), and its dimensions.
    struct Query {
        let cut: Int
        let dimensions: [LoadGuard.Dimension]
    }

    /// The cuts among one place's candidates and the metrics they read, after the lookups they need (each
    /// made once per ARN it reads); what could not be told is said.
    func cuts(_ candidates: [(change: Int, guardrail: LoadGuard)], of changes: [PlannedChange],
              _ client: any AWSAPI) async -> (cuts: [Cut], queries: [Query], problems: [String]) {
        // Each lookup's answer, or what it failed with, by its operation and the ARN it read.
        var answers: [String: Result<Value, LookupFailure>] = [:]
        var cuts: [Cut] = [], queries: [Query] = [], problems: [String] = []
        for candidate in candidates {
            let change = changes[candidate.change], guardrail = candidate.guardrail
            var counted = false
            do {
                // What says the capacity first; what only names the metric once the change is a cut.
                var found = [Value](repeating: .null, count: guardrail.lookups.count)
                func look(_ capacity: Bool) async throws {
                    for (n, lookup) in guardrail.lookups.enumerated() where lookup.saysCapacity == capacity {
                        let key = lookup.operation.iamAction + " " + lookup.arn(change.id, client.region, "*")
                        let answer: Result<Value, LookupFailure>
                        if let known = answers[key] { answer = known } else {
                            do { answer = .success(try await lookup.call(change.id, client)) } catch {
                                answer = .failure(LookupFailure(said: "\(error)"))
                            }
                            answers[key] = answer
                        }
                        found[n] = try answer.get()
                    }
                }
                try await look(true)
                let unknown = guardrail.unknownCapacities(in: change, answers: found)
                guard unknown.isEmpty else {
                    problems.append("whether \(change.key)'s new \(guardrail.path.dropFirst()) is smaller "
                        + "could not be told, so its load was not checked: AWS's answer says no capacity for "
                        + unknown.map { UntrustedText.line(String(($0.string ?? $0.description).prefix(100))) }
                            .joined(separator: " or "))
                    continue
                }
                guard let limit = guardrail.cut(in: change, answers: found) else { continue }
                cuts.append(Cut(change: candidate.change, guardrail: guardrail, limit: limit))
                counted = true
                try await look(false)
                queries += try guardrail.metrics(for: change.id, answers: found).map {
                    Query(cut: cuts.count - 1, dimensions: $0)
                }
            } catch {
                let said = UntrustedText.line(String("\(error)".prefix(500)))
                // A cut its values say is one whose load is unknown; one only the lookups could tell is said.
                if !counted, !guardrail.cutNeedsLookups, let limit = guardrail.cut(in: change) {
                    cuts.append(Cut(change: candidate.change, guardrail: guardrail, limit: limit))
                    counted = true
                }
                if counted {
                    cuts[cuts.count - 1].unknown = true
                    problems.append("the load of \(change.key)'s \(guardrail.path.dropFirst()) could not be "
                        + "read, so it is unknown: \(said)")
                } else {
                    problems.append("whether \(change.key)'s new \(guardrail.path.dropFirst()) is smaller "
                        + "could not be told, so its load was not checked: \(said)")
                }
            }
        }
        return (cuts, queries, problems)
    }

    /// The highest value of each metric in the window, by its place in `metrics`; absent when it had none.
    func read(_ metrics: [(guardrail: LoadGuard, dimensions: [LoadGuard.Dimension])], _ client: any AWSAPI,
              _ now: Date) async throws -> [Int: Double] {
        var parameters = [
            "StartTime": Timestamp.iso8601(now.addingTimeInterval(-window)), "EndTime": Timestamp.iso8601(now),
            "ScanBy": "TimestampDescending",
        ]
        for (n, metric) in metrics.enumerated() {
            let query = "MetricDataQueries.member.\(n + 1)."
            parameters[query + "Id"] = "m\(n)"
            parameters[query + "MetricStat.Metric.Namespace"] = metric.guardrail.namespace
            parameters[query + "MetricStat.Metric.MetricName"] = metric.guardrail.metricName
            for (d, dimension) in metric.dimensions.enumerated() {
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
