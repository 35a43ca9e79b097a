import Foundation

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
    /// The new value the change sets.
    public var limit: Double

    public init(metric: String, observed: Double?, window: String, limit: Double) {
        self.metric = metric
        self.observed = observed
        self.window = window
        self.limit = limit
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
        return "\(metric) reached \(Self.number(observed)) in the last \(window); the new value "
            + "\(Self.number(limit)) is below it"
    }

    /// `12`, `41.67`: a per-second rate is said to two decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.2f", value)
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
    public let dimensions: @Sendable (_ id: String) -> [(name: String, value: String)]
    /// The AWS page that documents the metric.
    public let source: String
    /// The capacity in the value at `path` (a number, or one field of a list's entry); nil when it has none.
    public let capacity: @Sendable (Value?) -> Double?
    /// Dimensions only a call can say (a REST API's name, where the id is the API's id): made once a cut
    /// needs them, and granted by `iam-policy` with the plan's reads.
    public let lookup: Lookup?

    /// A call that says a metric's dimensions: its operation (for `iam-policy`), the ARN it reads (one call
    /// per ARN a plan: a REST API's stages share their API's), the call, and what its answer says.
    public struct Lookup: Sendable {
        public let operation: APIOperation
        public let arn: @Sendable (_ id: String, _ region: String) -> String
        public let call: @Sendable (_ id: String, _ client: any AWSAPI) async throws -> Value
        public let dimensions: @Sendable (_ id: String, _ answer: Value) throws -> [(name: String, value: String)]

        public init(_ operation: APIOperation, arn: @escaping @Sendable (_ id: String, _ region: String) -> String,
                    call: @escaping @Sendable (_ id: String, _ client: any AWSAPI) async throws -> Value,
                    dimensions: @escaping @Sendable (_ id: String, _ answer: Value) throws
                        -> [(name: String, value: String)]) {
            self.operation = operation
            self.arn = arn
            self.call = call
            self.dimensions = dimensions
        }
    }

    public init(_ path: String, namespace: String, metricName: String, statistic: String = "Maximum",
                measure: Measure = .peak, unsetIsUnlimited: Bool = false, source: String,
                capacity: @escaping @Sendable (Value?) -> Double? = { $0?.number }, lookup: Lookup? = nil,
                dimensions: @escaping @Sendable (_ id: String) -> [(name: String, value: String)]) {
        self.path = path
        self.namespace = namespace
        self.metricName = metricName
        self.statistic = statistic
        self.measure = measure
        self.unsetIsUnlimited = unsetIsUnlimited
        self.source = source
        self.capacity = capacity
        self.lookup = lookup
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

    /// The new value when the change lowers this capacity, else nil.
    public func cut(in change: PlannedChange) -> Double? {
        guard let assignment = change.set[path], let to = capacity(assignment.to) else { return nil }
        guard let from = capacity(assignment.from) else { return unsetIsUnlimited ? to : nil }
        return to < from ? to : nil
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
