import FoundationEssentials

/// What the live load said about a capacity a change lowers (spec section 8, "Risk"): the metric read
/// over the window before the plan, the highest value it reached, and the new value. A change carries
/// one when the new value is below what was observed, or when the metric said nothing (`observed` nil:
/// the load is unknown, which is never taken as safe).
public struct ChangeGuard: Sendable, Equatable {
    /// `AWS/AutoScaling GroupInServiceInstances Maximum`.
    public var metric: String
    /// The highest value in the window; nil when the metric had no data there (or could not be read).
    public var observed: Double?
    /// `1h`.
    public var window: String
    /// The new value the change sets (in the metric's units: a node type's memory in bytes).
    public var limit: Double
    /// What `limit` is, as the text plan says it: "the new value", "the new node type's maxmemory".
    public var limitName: String

    public init(metric: String, observed: Double?, window: String, limit: Double,
                limitName: String = "the new value") {
        self.metric = metric
        self.observed = observed
        self.window = window
        self.limit = limit
        self.limitName = limitName
    }

    /// `{"metric", "observed", "window", "limit"}`; `observed` null when the metric said nothing.
    public var json: Value {
        ["metric": .string(metric), "observed": observed.map(Value.double) ?? .null, "window": .string(window),
         "limit": .double(limit)]
    }

    /// One line for the text plan.
    public var said: String {
        guard let observed else {
            return "no data for \(metric) in the last \(window): the load this capacity carries is unknown"
        }
        return "\(metric) reached \(Self.number(observed)) in the last \(window); \(limitName) "
            + "\(Self.number(limit)) is below it"
    }

    /// `12`, `41.67`: a per-second rate is said to two decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return Figures.fixed(value, digits: 2)
    }
}

/// A kind's declaration that a property is a capacity: the CloudWatch metric that says what it carries,
/// the statistic that gives its peak, how that peak is said in the property's units, and AWS's page for
/// the metric. A plan that lowers the property reads the metric first (`LoadGuards`).
public struct LoadGuard: Sendable {
    /// How a metric's peak becomes the capacity it needed, in the property's own units.
    public enum Measure: Sendable, Equatable {
        /// The highest value as it is: instances in service, concurrent executions.
        case peak
        /// A per-minute `Sum` divided by the minute: capacity units or requests a second.
        case perSecond
        /// A utilisation in percent times the count it was measured on (the live value), rounded up: the
        /// ECS tasks the peak's CPU would fill at 100%.
        case fullShareOfLive
    }

    /// The capacity's path, as a plan's `set` names it (`/MaxSize`).
    public let path: String
    public let namespace: String
    public let metricName: String
    public let statistic: String
    public let measure: Measure
    /// A capacity that was unset is unlimited (a Lambda function without reserved concurrency draws on
    /// the account's pool): setting one is a cut.
    public let unsetIsUnlimited: Bool
    /// The metric's dimensions for a resource's id.
    public let dimensions: @Sendable (_ id: String) -> [Dimension]
    /// The AWS page that documents the metric.
    public let source: String
    /// The capacity in the value at `path` (a number, or one field of a list's entry); nil when it has none.
    public let capacity: @Sendable (Value?) -> Double?
    /// Calls whose answers the guard needs (a REST API's name; node types' memory, a group's member clusters):
    /// made only for a change that sets `path` (those that do not say the capacity, only for a cut), each once
    /// per ARN a plan, and granted by `iam-policy`. Their answers are handed on in this order (`.null` for
    /// one not made).
    public let lookups: [Lookup]
    /// The metrics to read given the lookups' answers (in their order): one dimension set a metric, the peak
    /// being the highest of them (an ElastiCache group's member clusters). Nil: `dimensions(id)`, alone.
    public let metrics: (@Sendable (_ id: String, _ answers: [Value]) throws -> [[Dimension]])?
    /// The capacity in a value when only the lookups' answers can say it (a node type's memory). Nil: `capacity`.
    public let lookedUpCapacity: (@Sendable (_ value: Value?, _ answers: [Value]) -> Double?)?
    /// The most metrics a cut of a declared resource reads (`--dry-run-reads`).
    public let mostMetrics: @Sendable (DesiredResource) -> Int
    /// What the capacity is called where the plan says it: "the new value", "the new node type's maxmemory".
    public let limitName: String

    public typealias Dimension = (name: String, value: String)

    /// A call that says what a guard needs: its operation (for `iam-policy`), the ARN it reads in an account
    /// (`*` when the environment names none; one call per ARN a plan: a REST API's stages share their API's;
    /// `*` where the call takes no narrower resource, made once a region), and the call.
    public struct Lookup: Sendable {
        public let operation: APIOperation
        public let arn: @Sendable (_ id: String, _ region: String, _ account: String) -> String
        /// Whether it says the capacity (made for every change that sets it) rather than only the metric's
        /// dimensions (made once the change is known to be a cut).
        public let saysCapacity: Bool
        public let call: @Sendable (_ id: String, _ client: any AWSAPI) async throws -> Value

        public init(_ operation: APIOperation, saysCapacity: Bool = false,
                    arn: @escaping @Sendable (_ id: String, _ region: String, _ account: String) -> String,
                    call: @escaping @Sendable (_ id: String, _ client: any AWSAPI) async throws -> Value) {
            self.operation = operation
            self.saysCapacity = saysCapacity
            self.arn = arn
            self.call = call
        }
    }

    public init(_ path: String, namespace: String, metricName: String, statistic: String = "Maximum",
                measure: Measure = .peak, unsetIsUnlimited: Bool = false, source: String,
                capacity: @escaping @Sendable (Value?) -> Double? = { $0?.number }, lookups: [Lookup] = [],
                metrics: (@Sendable (_ id: String, _ answers: [Value]) throws -> [[Dimension]])? = nil,
                lookedUpCapacity: (@Sendable (_ value: Value?, _ answers: [Value]) -> Double?)? = nil,
                mostMetrics: @escaping @Sendable (DesiredResource) -> Int = { _ in 1 },
                limitName: String = "the new value",
                dimensions: @escaping @Sendable (_ id: String) -> [Dimension]) {
        self.path = path
        self.namespace = namespace
        self.metricName = metricName
        self.statistic = statistic
        self.measure = measure
        self.unsetIsUnlimited = unsetIsUnlimited
        self.source = source
        self.capacity = capacity
        self.lookups = lookups
        self.metrics = metrics
        self.lookedUpCapacity = lookedUpCapacity
        self.mostMetrics = mostMetrics
        self.limitName = limitName
        self.dimensions = dimensions
    }

    /// `AWS/AutoScaling GroupInServiceInstances Maximum`, and how it was turned into the capacity's units.
    public var metric: String {
        let read = "\(namespace) \(metricName) \(statistic)"
        switch measure {
        case .peak: return read
        case .perSecond: return read + " per second"
        case .fullShareOfLive: return read + " as a count at 100%"
        }
    }

    /// Whether the change sets this capacity at all (it may lower it: `cut(in:answers:)` says).
    public func isSet(in change: PlannedChange) -> Bool { change.set[path] != nil }

    /// Whether only the lookups' answers can say if a change lowers the capacity.
    public var cutNeedsLookups: Bool { lookedUpCapacity != nil }

    /// The new value when the change lowers this capacity, else nil; `answers` are the lookups' (in order).
    public func cut(in change: PlannedChange, answers: [Value] = []) -> Double? {
        let capacity: (Value?) -> Double? = lookedUpCapacity.map { lookedUp in { lookedUp($0, answers) } }
            ?? self.capacity
        guard let assignment = change.set[path], let to = capacity(assignment.to) else { return nil }
        guard let from = capacity(assignment.from) else { return unsetIsUnlimited ? to : nil }
        return to < from ? to : nil
    }

    /// The values whose capacity the lookups' answers do not say (a node type the family's defaults lack):
    /// whether the change is a cut cannot be told.
    public func unknownCapacities(in change: PlannedChange, answers: [Value]) -> [Value] {
        guard let lookedUpCapacity, let assignment = change.set[path] else { return [] }
        return [assignment.from, assignment.to].compactMap { $0 }.filter { lookedUpCapacity($0, answers) == nil }
    }

    /// The metrics a cut of resource `id` reads, given the lookups' answers.
    public func metrics(for id: String, answers: [Value]) throws -> [[Dimension]] {
        try metrics?(id, answers) ?? [dimensions(id)]
    }

    /// What the window's highest value says the capacity needed, for a change from `from`; nil when it
    /// cannot say (a share of a count that was not read).
    public func needed(peak: Double, period: Double, from: Value?) -> Double? {
        switch measure {
        case .peak: return peak
        case .perSecond: return (peak / period * 100).rounded() / 100
        case .fullShareOfLive:
            guard let count = capacity(from) else { return nil }
            return (count * peak / 100).rounded(.up)
        }
    }
}
