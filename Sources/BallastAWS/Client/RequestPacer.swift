import BallastCore
import Dispatch
import FoundationEssentials

/// Paces every AWS request (retries included) with a token bucket per (account, region,
/// service or operation) at `RequestRates`, and bounds the requests in flight per bucket
/// by its rate. A throttled answer lowers the bucket's rate where the rate is the adaptive
/// start (AWS publishes none), and in `adaptive` retry mode everywhere.
/// One pacer per process: every client of an account and region shares its buckets.
public final class RequestPacer: @unchecked Sendable {
    public let rates: RequestRates
    let adaptive: Bool
    private let lock = Lock()
    private var buckets: [BucketKey: Bucket] = [:]
    private let now: @Sendable () -> Double

    struct BucketKey: Hashable {
        let principal: String
        let region: String
        let rateKey: String
    }

    final class Bucket {
        let rate: RequestRates.Rate
        /// Counted when a request is admitted.
        var admitted: Tokens
        var inFlight = 0
        let maxInFlight: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var adaptive: AdaptiveRate?
        /// The same bucket counted when requests go out (`sending`).
        var sent: Tokens

        init(rate: RequestRates.Rate, maxInFlight: Int, now: Double, adaptive: Bool) {
            self.rate = rate
            admitted = Tokens(count: rate.burst, at: now)
            sent = admitted
            self.maxInFlight = maxInFlight
            let adapts = adaptive || rate.alwaysAdaptive
            self.adaptive = adapts ? AdaptiveRate(ceiling: rate.perSecond, now: now) : nil
        }

        var perSecond: Double { adaptive?.rate ?? rate.perSecond }
    }

    /// A token bucket's fill: refilled at the rate up to the burst, one token per request; a
    /// request without one waits until its token would be there.
    struct Tokens {
        var count: Double
        var at: Double

        /// Takes a token at `now`: the seconds to wait for it (0 when there is one).
        mutating func take(now: Double, perSecond: Double, burst: Double) -> Double {
            count = min(burst, count + (now - at) * perSecond) - 1
            at = now
            return count >= 0 ? 0 : -count / perSecond
        }
    }

    /// What a request holds from admission to its answer.
    public struct Permit: Sendable {
        let key: BucketKey
    }

    public init(rates: RequestRates = .defaults, adaptive: Bool = false,
                now: @escaping @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }) {
        self.rates = rates
        self.adaptive = adaptive
        self.now = now
    }

    /// Waits for a place in flight, then for the request's token; the token is reserved at
    /// once, so waiters leave in the order they came and no one polls.
    public func admit(principal: String, region: String, service: String, operation: String) async -> Permit {
        let key = BucketKey(principal: principal, region: region,
                            rateKey: rates.key(service: service, operation: operation))
        let admitted: Bool = lock.withLock {
            let bucket = bucket(for: key)
            guard bucket.inFlight < bucket.maxInFlight else { return false }
            bucket.inFlight += 1
            return true
        }
        if !admitted {
            // `done` hands its place in flight straight to the first waiter.
            await withCheckedContinuation { continuation in
                let placed: Bool = lock.withLock {
                    let bucket = bucket(for: key)
                    if bucket.inFlight < bucket.maxInFlight {
                        bucket.inFlight += 1
                        return true
                    }
                    bucket.waiting.append(continuation)
                    return false
                }
                if placed { continuation.resume() }
            }
        }
        guard rates.unpacedInFlight == nil else { return Permit(key: key) }
        let wait: Double = lock.withLock {
            let bucket = bucket(for: key)
            return bucket.admitted.take(now: now(), perSecond: bucket.perSecond, burst: bucket.rate.burst)
        }
        if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        return Permit(key: key)
    }

    /// When an admitted request actually goes out (it has a connection): the bucket once more,
    /// counted at send time. Admission spaces requests at the rate, but a request can then wait
    /// for one of the transport's connections (every one busy with another service's calls);
    /// requests that waited together would leave together, over AWS's bucket. This gate spaces
    /// them again; a request that did not wait finds its token here and goes at once.
    public func sending(_ permit: Permit) async {
        guard rates.unpacedInFlight == nil else { return }
        let wait: Double = lock.withLock {
            guard let bucket = buckets[permit.key] else { return 0 }
            return bucket.sent.take(now: now(), perSecond: bucket.perSecond, burst: bucket.rate.burst)
        }
        if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
    }

    /// After the answer (or the transport's failure): frees the place in flight and, in
    /// adaptive mode, lets the answer move the rate.
    public func done(_ permit: Permit, throttled: Bool) {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            guard let bucket = buckets[permit.key] else { return nil }
            bucket.adaptive?.record(throttled: throttled, now: now())
            if bucket.waiting.isEmpty {
                bucket.inFlight -= 1
                return nil
            }
            return bucket.waiting.removeFirst()
        }
        next?.resume()
    }

    /// Where an operation is paced, and how many of it may be in flight.
    func slots(principal: String, region: String, operation: APIOperation) -> (bucket: String, size: Int) {
        let key = rates.key(operation)
        return ("\(principal) \(region) \(key)", rates.unpacedInFlight ?? rates.rate(forKey: key).inFlight)
    }

    /// The rate a bucket is paced at now.
    public func currentRate(principal: String, region: String, service: String, operation: String) -> Double {
        let key = BucketKey(principal: principal, region: region,
                            rateKey: rates.key(service: service, operation: operation))
        return lock.withLock { bucket(for: key).perSecond }
    }

    /// Under `lock`.
    private func bucket(for key: BucketKey) -> Bucket {
        if let bucket = buckets[key] { return bucket }
        let rate = rates.rate(forKey: key.rateKey)
        let bucket = Bucket(rate: rate, maxInFlight: rates.unpacedInFlight ?? rate.inFlight, now: now(),
                            adaptive: adaptive)
        buckets[key] = bucket
        return bucket
    }
}
