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

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// A kind's declaration that a property is a capacity: the CloudWatch metric that says what it carries,
/// the statistic that gives its peak, and AWS's page for the metric. A plan that lowers the property
/// reads the metric first (`LoadGuards`).
public struct LoadGuard: Sendable {
    /// The capacity's path, as a plan's `set` names it (`/MaxSize`).
    public let path: String
    public let namespace: String
    public let metricName: String
    public let statistic: String
    /// The metric's dimensions for a resource's id.
    public let dimensions: @Sendable (_ id: String) -> [(name: String, value: String)]
    /// The AWS page that documents the metric.
    public let source: String

    public init(_ path: String, namespace: String, metricName: String, statistic: String = "Maximum",
                source: String, dimensions: @escaping @Sendable (_ id: String) -> [(name: String, value: String)]) {
        self.path = path
        self.namespace = namespace
        self.metricName = metricName
        self.statistic = statistic
        self.source = source
        self.dimensions = dimensions
    }

    public var metric: String { "\(namespace) \(metricName) \(statistic)" }

    /// The new value when the change lowers this capacity, else nil.
    public func cut(in change: PlannedChange) -> Double? {
        guard let assignment = change.set[path], let to = assignment.to.number,
              let from = assignment.from?.number, to < from else { return nil }
        return to
    }
}
