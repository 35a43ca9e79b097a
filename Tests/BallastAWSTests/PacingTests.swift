@testable import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// The rate table, the adaptive mode's rate (on a clock of the test's own), and the pacer's buckets.
@Suite struct PacingTests {
    @Test func ratesParseOverTheDefaultsAndRefuseNonsense() throws {
        let rates = try RequestRates.parse("logs=20, lambda:GetFunctionConfiguration=50/10")
        #expect(rates.rate(forKey: "logs") == .init(20, burst: 10))
        #expect(
            rates.key(service: "lambda", operation: "GetFunctionConfiguration") == "lambda:GetFunctionConfiguration")
        #expect(rates.key(service: "lambda", operation: "GetFunctionConcurrency") == "lambda")
        #expect(rates.rate(forKey: "lambda:GetFunctionConfiguration").burst == 10)
        #expect(rates.rate(forKey: "kms") == RequestRates.defaults.rate(forKey: "kms"))
        let every = try RequestRates.parse("*=3")
        #expect(every.rate(forKey: "cloudwatch:PutMetricAlarm").perSecond == 3 && every.fallback.perSecond == 3)
        #expect(try RequestRates.parse("unpaced").unpacedInFlight == 8)
        for bad in ["logs", "logs=0", "logs=-1", "logs=fast", "=5", "logs=5/0", "logs=inf"] {
            #expect(throws: RatesError.self) { try RequestRates.parse(bad) }
        }
        #expect(throws: RatesError.self) { try RequestRates.fromEnvironment(["BALLAST_API_RATES": "logs=x"]) }
    }

    @Test func adaptiveRateDropsOnAThrottleAndGrowsBackAlongTheCubic() {
        var rate = AdaptiveRate(ceiling: 20, now: 0)
        // Sending at 10/s for two seconds: no throttle, the table's rate holds.
        for step in 0..<20 { rate.record(throttled: false, now: Double(step) / 10) }
        #expect(rate.rate == 20)
        rate.record(throttled: true, now: 2.0)
        #expect(rate.rate < 10 && rate.rate >= 0.5)   // 0.7 of what was being sent
        let dropped = rate.rate
        var now = 2.0
        var last = dropped
        while now < 8 {
            now += 0.1
            rate.record(throttled: false, now: now)
            #expect(rate.rate >= last - 1e-9)          // never falls without a throttle
            last = rate.rate
        }
        #expect(rate.rate > dropped && rate.rate <= 20)
    }

    @Test func thePacerSpacesRequestsAtTheRateAfterTheBurst() async {
        let pacer = RequestPacer(rates: RequestRates(["logs": .init(100, burst: 5)], fallback: .init(10)))
        let start = Date()
        for _ in 0..<25 {
            let permit = await pacer.admit(
                principal: "a", region: "r", service: "logs", operation: "DescribeLogGroups")
            pacer.done(permit, throttled: false)
        }
        // 5 at once, then 20 at 100/s: at least 0.2 s (no upper bound: a loaded test process sleeps longer).
        #expect(Date().timeIntervalSince(start) >= 0.18)
        #expect(pacer.currentRate(principal: "a", region: "r", service: "logs", operation: "DescribeLogGroups") == 100)
    }

    /// Roles of one account share its buckets; another account, or the credential chain, has its own.
    @Test func rolesOfOneAccountShareItsBuckets() {
        let setup = AWSSetup(environment: ["AWS_REGION": "us-east-1"])
        let bucket = { (role: String?) in
            setup.client(region: "us-east-1", role: role.map { RoleToAssume(roleArn: $0) })
                .inFlightSlots(for: APIOperation(.logs, "DescribeLogGroups")).bucket
        }
        #expect(bucket("arn:aws:iam::111111111111:role/drift") == bucket("arn:aws:iam::111111111111:role/apply"))
        #expect(bucket("arn:aws:iam::111111111111:role/drift") != bucket("arn:aws:iam::222222222222:role/drift"))
        #expect(bucket(nil) != bucket("arn:aws:iam::111111111111:role/drift"))
        let describe = APIOperation(.logs, "DescribeLogGroups")
        #expect(setup.client(region: "eu-west-1").inFlightSlots(for: describe).bucket != bucket(nil))
    }

    @Test func thePacerBoundsRequestsInFlightByTheRate() async {
        let pacer = RequestPacer(rates: RequestRates(["kms": .init(3, burst: 100)], fallback: .init(10)))
        let inFlight = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    let permit = await pacer.admit(
                        principal: "a", region: "r", service: "kms", operation: "DescribeKey")
                    inFlight.change(+1)
                    try? await Task.sleep(nanoseconds: 20_000_000)
                    inFlight.change(-1)
                    pacer.done(permit, throttled: false)
                }
            }
        }
        #expect(inFlight.most == 3)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var current = 0
        private(set) var most = 0
        func change(_ by: Int) {
            lock.withLock {
                current += by
                most = max(most, current)
            }
        }
    }
}

/// Requests paced at admission can then wait together for a connection (the transport's pool
/// busy with another service's slow calls); the send-time gate spaces them again, so AWS's
/// bucket for that operation sees the rate, not a bunch. And the pool's transfers really are in
/// flight at once: each handle has a thread of its own.
@Suite struct SendTimePacingTests {
    /// Eight calls with eight handles: all eight reach the server before any answer comes back
    /// (answers are held 1.5 s). On Dispatch's pool they went two by two on a 2-core machine.
    @Test func everyHandleOfThePoolCarriesACallAtOnce() async throws {
        let moto = MotoServer.shared
        let slow = try ThrottlingProxy(forwardingTo: moto.port, latency: 1.5)
        defer { slow.stop() }
        let environment = moto.environment.merging(["AWS_ENDPOINT_URL": slow.url]) { _, new in new }
        let setup = AWSSetup(environment: environment, transport: CurlTransport(maxConcurrent: 8),
                             rates: try RequestRates.parse("dynamodb=100/8"))
        let client = setup.client(region: "us-east-1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await client.json(.dynamodb, "ListTables") } }
            try await group.waitForAll()
        }
        let arrivals = try #require(slow.arrivals["DynamoDB_20120810.ListTables"])
        #expect(slow.counts.passed["DynamoDB_20120810.ListTables"] == 8)
        #expect(arrivals.last - arrivals.first < 1.5, "the calls reached the server over \(arrivals)")
    }

    @Test func callsThatWaitedForAConnectionDoNotLeaveTogether() async throws {
        let moto = MotoServer.shared
        // Logs: AWS allows 20 a second with a burst of 3 here; ballast sends 6 a second with a burst
        // of 1, far enough under that a loaded runner's late threads cannot bunch four calls into
        // AWS's bucket. DynamoDB's answers take 1.5 s, so six logs calls (a second's worth in flight)
        // wait for a connection together; without the send-time gate they leave together, three
        // over AWS's burst.
        let logs = try ThrottlingProxy(forwardingTo: moto.port, rate: 20, burst: 3)
        let slow = try ThrottlingProxy(forwardingTo: moto.port, latency: 1.5)
        defer { logs.stop(); slow.stop() }
        let environment = moto.environment.merging(["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": logs.url,
                                                    "AWS_ENDPOINT_URL_DYNAMODB": slow.url]) { _, new in new }
        let setup = AWSSetup(environment: environment, transport: CurlTransport(maxConcurrent: 4),
                             rates: try RequestRates.parse("logs=6/1,dynamodb=100/8"))
        let client = setup.client(region: "us-east-1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { _ = try await client.json(.dynamodb, "ListTables") }
            }
            try await Task.sleep(nanoseconds: 100_000_000)   // the slow calls hold every connection
            for _ in 0..<8 {
                group.addTask { _ = try await client.json(.logs, "DescribeLogGroups", .map(["limit": .int(1)])) }
            }
            try await group.waitForAll()
        }
        #expect(logs.counts.passed.values.reduce(0, +) == 8)
        #expect(logs.counts.throttled == 0, "AWS's bucket throttled \(logs.counts.throttled) calls")
    }
}
