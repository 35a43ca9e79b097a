import BallastCore
import FoundationEssentials

/// The requests per second ballast allows itself per (account, region, service), and per
/// operation where AWS sets an operation its own quota. AWS's quotas are per account and
/// region, shared with every other caller there, so ballast stays below them.
/// `BALLAST_API_RATES` overrides: `logs=20,lambda:GetFunction=50,*=10`.
public struct RequestRates: Sendable, Equatable {
    public struct Rate: Sendable, Equatable {
        public var perSecond: Double
        /// Requests that may go at once after a quiet spell (the token bucket's size).
        public var burst: Double
        /// Where the number comes from: `--dry-run-reads` says it, and an adaptive start adapts.
        public var source: Source

        public enum Source: Sendable, Equatable {
            /// AWS's documented quota, below it; the associated text names AWS's page.
            case documented(String)
            /// AWS publishes no rate: a generous start, lowered on the first throttle (always adaptive).
            case adaptiveStart
            /// From `BALLAST_API_RATES`.
            case user
        }

        public init(_ perSecond: Double, burst: Double? = nil, source: Source = .user) {
            self.perSecond = perSecond
            self.burst = burst ?? max(1, (perSecond / 2).rounded(.up))
            self.source = source
        }

        /// Below AWS's quota from `page` (its title).
        static func aws(_ perSecond: Double, burst: Double, _ page: String) -> Rate {
            Rate(perSecond, burst: burst, source: .documented(page))
        }

        /// Where AWS publishes no rate: 100 a second with a burst of 50, lowered by the adaptive
        /// limiter (CUBIC, as the SDKs' adaptive mode) on the first throttled answer, for that
        /// bucket only. Not a guess at the quota: what the account allows is found, not assumed.
        public static let adaptiveStart = Rate(100, burst: 50, source: .adaptiveStart)

        /// The most requests one bucket has in flight: the transport's pool. At a 40 ms round trip
        /// 64 in flight carry 1,600 requests a second.
        public static let mostInFlight = CurlTransport.defaultPoolSize

        /// Requests in flight at most: one second of calls at the rate (so latency up to a second
        /// does not lower the rate, and a stalled endpoint does not collect a pile), at most
        /// `mostInFlight`.
        public var inFlight: Int { min(Self.mostInFlight, max(1, Int(perSecond.rounded(.up)))) }

        /// Whether the rate adapts to throttled answers even outside `AWS_RETRY_MODE=adaptive`.
        public var alwaysAdaptive: Bool { source == .adaptiveStart }

        /// "documented (Lambda quotas)", "adaptive start", "BALLAST_API_RATES".
        public var sourceText: String {
            switch source {
            case .documented(let page): "AWS's documented quota (\(page))"
            case .adaptiveStart: "ballast's adaptive start (AWS publishes no rate)"
            case .user: "BALLAST_API_RATES"
            }
        }
    }

    /// `logs` or `logs:PutRetentionPolicy` (IAM's service prefix and the API's name) -> rate.
    public var rates: [String: Rate]
    /// For a service or operation the table does not name.
    public var fallback: Rate
    /// When set, no pacing: at most this many requests in flight per service, as ballast did
    /// before it paced (`BALLAST_API_RATES=unpaced`, for comparing).
    public var unpacedInFlight: Int?

    public init(_ rates: [String: Rate], fallback: Rate, unpacedInFlight: Int? = nil) {
        self.rates = rates
        self.fallback = fallback
        self.unpacedInFlight = unpacedInFlight
    }

    /// Every rate is AWS's documented quota (the page's title is in the entry) or, where AWS
    /// publishes none, the adaptive start. A documented rate sits just below AWS's number, its
    /// burst well below a second of it: AWS's quotas are per account and region, shared with
    /// every other caller there. Each number checked on AWS's page on 2026-12-02.
    public static let defaults = RequestRates([
        // "Lambda quotas": GetFunction 100 requests per second; every other control-plane call
        // (PutFunctionConcurrency, UpdateFunctionConfiguration) shares 15 per second.
        "lambda:GetFunction": .aws(90, burst: 10, "Lambda quotas"),
        "lambda": .aws(14, burst: 5, "Lambda quotas"),
        // "CloudWatch service quotas": DescribeAlarms 9 TPS, PutMetricAlarm 3 TPS, PutMetricData 500 TPS,
        // GetMetricData 50 TPS (and 180,000 data points a second for a start within three hours).
        "cloudwatch:GetMetricData": .aws(45, burst: 10, "CloudWatch service quotas"),
        "cloudwatch:DescribeAlarms": .aws(8.5, burst: 4, "CloudWatch service quotas"),
        "cloudwatch:PutMetricAlarm": .aws(2.9, burst: 2, "CloudWatch service quotas"),
        "cloudwatch:PutMetricData": .aws(450, burst: 50, "CloudWatch service quotas"),
        // "CloudWatch Logs quotas": DescribeLogGroups 10 TPS, PutRetentionPolicy 5 TPS.
        "logs:DescribeLogGroups": .aws(9.5, burst: 5, "CloudWatch Logs quotas"),
        "logs:PutRetentionPolicy": .aws(4.8, burst: 3, "CloudWatch Logs quotas"),
        // "Request throttling for the Amazon ECS API": service read actions (DescribeServices)
        // refill 20 a second. UpdateService's bucket is not one ballast could confirm: adaptive.
        "ecs:DescribeServices": .aws(18, burst: 10, "Request throttling for the Amazon ECS API"),
        // "Best practices for managing the control plane in DynamoDB": control-plane requests
        // (DescribeTable, UpdateTable, ...TimeToLive, ...ContinuousBackups) 2,500 per second.
        "dynamodb": .aws(2_400, burst: 200, "Best practices for managing the control plane in DynamoDB"),
        // "Request throttling for the Amazon RDS API": a burst of 300, sustained 12 per second.
        "rds": .aws(11, burst: 100, "Request throttling for the Amazon RDS API"),
        // "Request quotas" (AWS KMS Developer Guide): DescribeKey 2,000, GetKeyRotationStatus
        // 1,000, EnableKeyRotation 15, DisableKeyRotation 5 requests per second.
        "kms:DescribeKey": .aws(1_900, burst: 200, "AWS KMS request quotas"),
        "kms:GetKeyRotationStatus": .aws(950, burst: 100, "AWS KMS request quotas"),
        "kms:EnableKeyRotation": .aws(14, burst: 5, "AWS KMS request quotas"),
        "kms:DisableKeyRotation": .aws(4.8, burst: 2, "AWS KMS request quotas"),
        // "Amazon EventBridge quotas": "Throttle limit in transactions per second for control plane
        // APIs", 50 per second (PutEvents and the endpoint calls have quotas of their own).
        "events": .aws(48, burst: 20, "Amazon EventBridge quotas"),
        // "AWS Secrets Manager quotas": DescribeSecret with GetResourcePolicy 40,000 per second;
        // RotateSecret (with the other writes of its group) 50 per second.
        "secretsmanager:DescribeSecret": .aws(36_000, burst: 1_000, "AWS Secrets Manager quotas"),
        "secretsmanager:RotateSecret": .aws(48, burst: 10, "AWS Secrets Manager quotas"),
        // "Quotas" (Timestream for LiveAnalytics): List/Describe 5 per second; Create/Update/Delete 1.
        "timestream": .aws(4.8, burst: 3, "Timestream for LiveAnalytics quotas"),
        "timestream:UpdateTable": .aws(0.95, burst: 1, "Timestream for LiveAnalytics quotas"),
        // "Quotas" (Security Automations for AWS WAF, an AWS Solutions guide): "AWS WAF allows a maximum
        // of one request per second, per account, per AWS Region for API calls to any individual
        // Create, Put, or Update action". Its reads have no published rate: they adapt.
        // The CloudTrail API Reference, LookupEvents: "The rate of lookup requests is limited to two per
        // second, per account, per Region."
        "cloudtrail:LookupEvents": .aws(1.9, burst: 1, "CloudTrail API Reference: LookupEvents"),
        "wafv2:UpdateWebACL": .aws(0.95, burst: 1, "Security Automations for AWS WAF: Quotas"),
        "wafv2": .adaptiveStart,
        // "Amazon API Gateway quotas", "API Gateway quotas for creating, deploying and managing an
        // API": total operations 10 requests per second with a burst of 40 (REST and HTTP APIs both).
        "apigateway": .aws(9.5, burst: 20, "Amazon API Gateway quotas"),
        // AWS publishes no request rate for these: EC2 Auto Scaling and Application Auto Scaling
        // (each its own bucket, per "Why are my Auto Scaling API calls throttled", no number),
        // CloudFormation, AWS Budgets ("Quotas and restrictions" counts budgets, not calls), ElastiCache
        // ("Quotas for ElastiCache" counts nodes and shards, not calls), S3's
        // bucket configuration (its page gives object rates per prefix), SQS's queue attributes
        // ("Amazon SQS quotas" gives message throughput only), STS (one call a run) and Cloud Control
        // (no call rate found in "Cloud Control API endpoints and quotas" or its user guide; its handlers
        // call the type's own service, whose throttling comes back as `ThrottlingException`).
        // They start at `adaptiveStart` and adapt.
        "autoscaling": .adaptiveStart,
        "application-autoscaling": .adaptiveStart,
        "cloudformation": .adaptiveStart,
        "budgets": .adaptiveStart,
        "elasticache": .adaptiveStart,
        "s3": .adaptiveStart,
        "sqs": .adaptiveStart,
        "sts": .adaptiveStart,
        "cloudcontrolapi": .adaptiveStart,
    ], fallback: .adaptiveStart)

    /// The rates of one of `shards` processes that read the same accounts at once (`--shard I/N`):
    /// each rate and burst divided by `shards`. A shard holds about 1/N of every environment's
    /// resources (the split hashes each resource), so each shard calls every account, and AWS counts
    /// the shards' calls against the account's one quota: N buckets of a rate r/N and a burst b/N
    /// never let through more than the one bucket (r, b) would. A burst stays at least one request.
    public func shared(among shards: Int) -> RequestRates {
        guard shards > 1 else { return self }
        let share = Double(shards)
        func divided(_ rate: Rate) -> Rate {
            Rate(rate.perSecond / share, burst: max(1, (rate.burst / share).rounded(.down)), source: rate.source)
        }
        return RequestRates(rates.mapValues(divided), fallback: divided(fallback), unpacedInFlight: unpacedInFlight)
    }

    /// No pacing: at most `inFlight` requests at once per service.
    public static func unpaced(inFlight: Int) -> RequestRates {
        RequestRates([:], fallback: Rate(1), unpacedInFlight: inFlight)
    }

    /// Where `service:operation` is paced: its own entry, else its service's.
    public func key(service: String, operation: String) -> String {
        let specific = service + ":" + operation
        return rates[specific] != nil ? specific : service
    }

    /// Where an operation is paced.
    public func key(_ operation: APIOperation) -> String {
        key(service: operation.service.iamPrefix, operation: operation.name)
    }

    public func rate(forKey key: String) -> Rate {
        rates[key] ?? fallback
    }

    /// The range a rate from `BALLAST_API_RATES` must fall in, requests per second. Below 0.1 a
    /// run of a few hundred resources takes hours, never what a user means; above 50,000 no quota
    /// of a call ballast makes is near (the highest is Secrets Manager's DescribeSecret, 40,000 per
    /// second: "AWS Secrets Manager quotas").
    public static let acceptedRates: ClosedRange<Double> = 0.1...50_000
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
        for entry in text.split(separator: ",").map({ $0.trimmingSpaces() }) where !entry.isEmpty {
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
                // `logs=20` is the user's rate for every logs call: the table's own entries for
                // logs operations give way to it (a user's `logs:Operation` entry does not).
                if !parts[0].contains(":") {
                    rates.rates = rates.rates.filter { key, value in
                        !(key.hasPrefix(parts[0] + ":") && value.source != .user)
                    }
                }
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
