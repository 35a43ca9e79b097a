import Foundation

/// The requests per second ballast allows itself per (account, region, service), and per
/// operation where AWS sets an operation its own quota. AWS's quotas are per account and
/// region, shared with every other caller there, so ballast stays below them.
/// `BALLAST_API_RATES` overrides: `logs=20,lambda:GetFunction=50,*=10`.
public struct RequestRates: Sendable, Equatable {
    public struct Rate: Sendable, Equatable {
        public var perSecond: Double
        /// Requests that may go at once after a quiet spell (the token bucket's size).
        public var burst: Double

        public init(_ perSecond: Double, burst: Double? = nil) {
            self.perSecond = perSecond
            self.burst = burst ?? max(1, (perSecond / 2).rounded(.up))
        }

        /// Requests in flight at most: one second of calls at the rate, so latency up to a
        /// second does not lower the rate, and a stalled endpoint does not collect a pile.
        public var inFlight: Int { max(1, Int(perSecond.rounded(.up))) }
    }

    /// `logs` or `logs:PutRetentionPolicy` (IAM's service prefix and the API's name) -> rate.
    public var rates: [String: Rate]
    /// For a service the table does not name.
    public var fallback: Rate
    /// When set, no pacing: at most this many requests in flight per service, as ballast did
    /// before it paced (`BALLAST_API_RATES=unpaced`, for comparing).
    public var unpacedInFlight: Int?

    public init(_ rates: [String: Rate], fallback: Rate, unpacedInFlight: Int? = nil) {
        self.rates = rates
        self.fallback = fallback
        self.unpacedInFlight = unpacedInFlight
    }

    /// Below AWS's documented quotas where it documents one (the comment says where), else a
    /// conservative rate of ballast's choosing: AWS does not publish those services' API rates.
    public static let defaults = RequestRates([
        // Lambda quotas page: GetFunction 100/s; every other control-plane call shares 15/s.
        // GetFunction (every read) at 90/s with a burst of 10: never over 100 in any second.
        "lambda": Rate(12),
        "lambda:GetFunction": Rate(90, burst: 10),
        // CloudWatch quotas page: DescribeAlarms 9 TPS, PutMetricAlarm 3 TPS, PutMetricData 500 TPS.
        "cloudwatch": Rate(8),
        "cloudwatch:PutMetricAlarm": Rate(2.5, burst: 1),
        "cloudwatch:PutMetricData": Rate(100),
        // CloudWatch Logs quotas page: DescribeLogGroups 10 TPS, PutRetentionPolicy 5 TPS.
        "logs": Rate(8),
        "logs:PutRetentionPolicy": Rate(4),
        // ECS request throttling page: token buckets, service reads refill 20/s.
        "ecs": Rate(16),
        // Not published per operation: chosen well under what these services answer.
        "autoscaling": Rate(10),
        "application-autoscaling": Rate(10),
        "cloudformation": Rate(5),
        "dynamodb": Rate(40),
        "events": Rate(20),
        "kms": Rate(100),
        "rds": Rate(10),
        "s3": Rate(100),
        "secretsmanager": Rate(50),
        "sts": Rate(20),
        "timestream": Rate(10),
    ], fallback: Rate(10))

    /// No pacing: at most `inFlight` requests at once per service.
    public static func unpaced(inFlight: Int) -> RequestRates {
        RequestRates([:], fallback: Rate(1), unpacedInFlight: inFlight)
    }

    /// Where `service:operation` is paced: its own entry, else its service's.
    public func key(service: String, operation: String) -> String {
        let specific = service + ":" + operation
        return rates[specific] != nil ? specific : service
    }

    /// Where a call as IAM names it (`logs:PutRetentionPolicy`) is paced.
    public func key(call: String) -> String {
        let parts = call.split(separator: ":", maxSplits: 1).map(String.init)
        return key(service: parts[0], operation: parts.count > 1 ? parts[1] : "")
    }

    public func rate(forKey key: String) -> Rate {
        rates[key] ?? fallback
    }

    /// The range a rate from `BALLAST_API_RATES` must fall in, requests per second. Below 0.1 a
    /// run of a few hundred resources takes hours, never what a user means; above 10,000 no AWS
    /// control-plane quota is near (the highest ballast meets is DynamoDB's 2,500 per second: DynamoDB
    /// Developer Guide, "Best practices for managing the control plane in DynamoDB").
    public static let acceptedRates: ClosedRange<Double> = 0.1...10_000
    /// The range of a burst (requests a bucket holds).
    public static let acceptedBursts: ClosedRange<Double> = 1...10_000

    /// The services ballast calls, as `BALLAST_API_RATES` names them (IAM's prefixes).
    public static var knownServices: Set<String> {
        Set(defaults.rates.keys.map { String($0.split(separator: ":")[0]) })
    }

    /// The defaults with `text`'s entries over them: `SERVICE[:Operation]=RATE[/BURST]`, comma
    /// separated; `*=RATE` sets every service; `unpaced` turns pacing off. A number out of range,
    /// a service ballast does not call, or a key given twice is refused.
    public static func parse(_ text: String, over base: RequestRates = .defaults) throws(RatesError) -> RequestRates {
        var rates = base
        var seen = Set<String>()
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            if entry == "unpaced" {
                rates.unpacedInFlight = unpaced(inFlight: 8).unpacedInFlight
                continue
            }
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw RatesError("'\(entry)' is not SERVICE=RATE (logs=20, lambda:GetFunction=50, *=10)")
            }
            guard seen.insert(parts[0]).inserted else { throw RatesError("'\(parts[0])' is given twice") }
            let service = String(parts[0].split(separator: ":", maxSplits: 1)[0])
            guard service == "*" ? parts[0] == "*" : knownServices.contains(service) else {
                throw RatesError("'\(parts[0])': ballast calls no such service; it calls "
                    + knownServices.sorted().joined(separator: ", "))
            }
            let numbers = parts[1].split(separator: "/", maxSplits: 1).map { Double($0) }
            let range = "\(acceptedRates.lowerBound) to \(Int(acceptedRates.upperBound))"
            guard let perSecond = numbers.first ?? nil, acceptedRates.contains(perSecond),
                  numbers.count == 1 || (numbers[1].map { acceptedBursts.contains($0) } ?? false) else {
                throw RatesError("'\(entry)': the rate is requests per second from \(range), optionally /BURST "
                    + "from 1 to \(Int(acceptedBursts.upperBound))")
            }
            let rate = Rate(perSecond, burst: numbers.count == 2 ? numbers[1] : nil)
            if parts[0] == "*" {
                rates.rates = rates.rates.mapValues { _ in rate }
                rates.fallback = rate
            } else {
                rates.rates[parts[0]] = rate
            }
        }
        return rates
    }

    public static func fromEnvironment(_ environment: [String: String]) throws(RatesError) -> RequestRates {
        guard let text = environment["BALLAST_API_RATES"] else { return .defaults }
        return try parse(text)
    }
}

public struct RatesError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ message: String) { description = "BALLAST_API_RATES: " + message }
}
