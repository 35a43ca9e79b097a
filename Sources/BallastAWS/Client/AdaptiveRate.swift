import BallastCore
import FoundationEssentials
import Glibc

/// The client-side rate of the SDKs' `adaptive` retry mode: on a throttled answer the rate
/// drops to 0.7 of what was being sent, then grows back along a cubic curve (CUBIC, as in
/// TCP) towards the rate at which the throttle came, and past it slowly. A pure value: time
/// comes in as seconds.
struct AdaptiveRate: Sendable {
    static let beta = 0.7
    static let scale = 0.4
    static let smoothing = 0.8
    static let minimumRate = 0.5

    /// What ballast's table allows: the adaptive rate never goes above it.
    let ceiling: Double
    private(set) var rate: Double
    private var lastMaxRate: Double
    private var lastThrottle: Double
    private var timeWindow = 0.0
    private var measured = 0.0
    private var requestsInBucket = 0.0
    private var lastBucket: Double?
    /// As in the SDKs, the rate moves only once a throttle has been seen.
    private var throttledOnce = false

    init(ceiling: Double, now: Double) {
        self.ceiling = ceiling
        rate = ceiling
        lastMaxRate = ceiling
        lastThrottle = now
    }

    /// After each answer.
    mutating func record(throttled: Bool, now: Double) {
        measure(now)
        guard throttled || throttledOnce else { return }
        let next: Double
        if throttled {
            throttledOnce = true
            lastMaxRate = min(measured > 0 ? measured : rate, rate)
            timeWindow = cbrt(lastMaxRate * (1 - Self.beta) / Self.scale)
            lastThrottle = now
            next = lastMaxRate * Self.beta
        } else {
            let t = now - lastThrottle - timeWindow
            next = Self.scale * t * t * t + lastMaxRate
        }
        // Never more than twice what is actually being sent, nor above the table.
        let bound = measured > 0 ? min(next, 2 * measured) : next
        rate = min(ceiling, max(Self.minimumRate, bound))
    }

    /// The sending rate, smoothed over half-second buckets.
    private mutating func measure(_ now: Double) {
        let bucket = (now * 2).rounded(.down) / 2
        requestsInBucket += 1
        guard let last = lastBucket else {
            lastBucket = bucket
            return
        }
        if bucket > last {
            let current = requestsInBucket / (bucket - last)
            measured = current * Self.smoothing + measured * (1 - Self.smoothing)
            requestsInBucket = 0
            lastBucket = bucket
        }
    }
}
