import BallastCore
import FoundationEssentials

/// AWS's "standard" retry mode as a pure policy: an error and an attempt number
/// in, wait-or-stop out. The loop that applies it lives in `AWSClient.send`.
public struct RetryPolicy: Sendable {
    public enum Mode: String, Sendable { case standard, legacy, adaptive }

    public var mode: Mode
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var maxBackoff: Double = 20

    public init(mode: Mode = .standard, maxAttempts: Int? = nil) {
        self.mode = mode
        self.maxAttempts = max(1, maxAttempts ?? (mode == .legacy ? 5 : 3))
    }

    /// `AWS_RETRY_MODE` and `AWS_MAX_ATTEMPTS`, as the SDKs read them.
    public static func fromEnvironment(_ environment: [String: String]) -> RetryPolicy {
        let mode = environment["AWS_RETRY_MODE"].flatMap { Mode(rawValue: $0.lowercased()) } ?? .standard
        return RetryPolicy(mode: mode, maxAttempts: environment["AWS_MAX_ATTEMPTS"].flatMap { Int($0) })
    }

    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    public static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "InternalError",
                                                     "InternalFailure", "ServiceUnavailable"]
    public static let transientStatuses: Set<Int> = [500, 502, 503, 504]

    /// A throttled answer: one of the codes, or 429.
    public static func isThrottling(_ error: Error) -> Bool {
        guard let aws = error as? AWSError else { return false }
        return throttlingCodes.contains(aws.code) || aws.status == 429
    }

    public enum Decision: Sendable, Equatable {
        /// Wait this many seconds, paying `cost` tokens from the retry quota.
        case retry(after: Double, cost: Int)
        case stop
    }

    /// `attempt` is the number of the attempt that just failed (1 for the first).
    /// `jitter` is a uniform random number in 0...1.
    public func decision(for error: Error, attempt: Int, jitter: Double) -> Decision {
        guard attempt < maxAttempts else { return .stop }
        let cost: Int
        switch error {
        case let transport as TransportError:
            cost = transport.isTimeout ? 10 : 5
        case let aws as AWSError where Self.isThrottling(aws):
            cost = 5
        case let aws as AWSError
        where Self.transientCodes.contains(aws.code) || Self.transientStatuses.contains(aws.status):
            cost = 5
        default:
            return .stop
        }
        // Exponential backoff with full jitter: random(0, 1) * 2^attempt, capped.
        return .retry(after: min(jitter * Double(1 << min(max(attempt - 1, 0), 62)), maxBackoff), cost: cost)
    }
}

/// The standard mode's retry quota: retries spend tokens, successes refund them,
/// so a failing service is not hammered by every caller at once.
public final class RetryQuota: @unchecked Sendable {
    public static let initialTokens = 500
    private let lock = Lock()
    private var tokens = RetryQuota.initialTokens

    public init() {}

    public var available: Int { lock.withLock { tokens } }

    /// Takes `cost` tokens if there are enough.
    func withdraw(_ cost: Int) -> Bool {
        lock.withLock {
            guard tokens >= cost else { return false }
            tokens -= cost
            return true
        }
    }

    /// After a success: refund what its retries cost, or 1 when it needed none.
    func deposit(_ amount: Int) {
        lock.withLock { tokens = min(Self.initialTokens, tokens + amount) }
    }
}
