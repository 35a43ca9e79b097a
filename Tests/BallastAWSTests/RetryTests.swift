@testable import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A proxy in front of moto that spoils the first `failures` requests.
final class FaultProxy: Sendable {
    enum Fault { case throttle, unavailable, drop }

    let server: LoopbackHTTPServer

    init(_ fault: Fault, failures: Int, motoPort: Int) throws {
        let remaining = Locked(failures)
        server = try LoopbackHTTPServer { request in
            let spoil = remaining.update { left -> Bool in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            guard spoil else {
                return LoopbackHTTPServer.forward(request, toPort: motoPort).map { .raw($0) } ?? .drop
            }
            switch fault {
            case .throttle:
                return .response(
                    status: 400,
                    headers: ["Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "throttled"],
                                 body: Array(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.utf8))
            case .unavailable:
                return .response(status: 503, headers: [:], body: Array("Service Unavailable".utf8))
            case .drop:
                return .drop
            }
        }
    }
}

@Suite struct RetryTests {
    /// A client through the proxy that records backoff waits instead of sleeping.
    func client(through proxy: FaultProxy, environment: [String: String] = [:], waits: Locked<[Double]>) -> AWSClient {
        let env = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": proxy.server.url]) { _, new in new }
            .merging(environment) { _, new in new }
        let setup = AWSSetup(environment: env)
        return AWSClient(
            region: "us-east-1", credentials: setup.credentials, transport: setup.transport,
            endpoints: setup.endpoints, retry: setup.retry, jitter: { 1.0 },
            sleep: { wait in waits.update { $0.append(wait) } })
    }

    @Test(arguments: [FaultProxy.Fault.throttle, .unavailable, .drop])
    func retriesTransientFaultsAndSucceeds(_ fault: FaultProxy.Fault) async throws {
        let proxy = try FaultProxy(fault, failures: 2, motoPort: MotoServer.shared.port)
        let waits = Locked<[Double]>([])
        let result = try await client(through: proxy, waits: waits).json(
            .logs, "DescribeLogGroups", .map(["limit": .int(1)]))
        #expect(result["logGroups"] != nil)
        #expect(proxy.server.requestCount == 3, "two spoiled attempts, then the real answer")
        #expect(waits.current == [1.0, 2.0], "full-jitter exponential backoff (jitter pinned at 1)")
    }

    @Test func pastTheAttemptBudgetFailsNamingTheOperation() async throws {
        let proxy = try FaultProxy(.throttle, failures: 10, motoPort: MotoServer.shared.port)
        let waits = Locked<[Double]>([])
        let error = await #expect(throws: AWSError.self) {
            _ = try await client(through: proxy, waits: waits).json(.logs, "DescribeLogGroups")
        }
        #expect(
            error?.description
                == "CloudWatch Logs DescribeLogGroups failed: ThrottlingException: Rate exceeded (after 3 "
                    + "attempts) (HTTP 400, request id throttled)"
        )
        #expect(proxy.server.requestCount == 3)
    }

    @Test func droppedConnectionsPastTheBudgetAreATransportError() async throws {
        let proxy = try FaultProxy(.drop, failures: 10, motoPort: MotoServer.shared.port)
        let error = await #expect(throws: AWSError.self) {
            _ = try await client(through: proxy, waits: Locked([])).query(.sts, "GetCallerIdentity")
        }
        #expect(error?.code == "TransportError")
        #expect(error?.description.hasPrefix("STS GetCallerIdentity failed: TransportError: POST 127.0.0.1:") == true)
        #expect(error?.description.contains("(after 3 attempts)") == true)
    }

    /// `AWS_RETRY_MODE=adaptive`: a throttled answer lowers the bucket the client's requests go through;
    /// in standard mode the same answers leave the rate as the table says.
    @Test(arguments: ["adaptive", "standard"])
    func aThrottledAnswerLowersTheRateInAdaptiveModeOnly(_ mode: String) async throws {
        let proxy = try FaultProxy(.throttle, failures: 2, motoPort: MotoServer.shared.port)
        let env = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": proxy.server.url,
                                                         "AWS_RETRY_MODE": mode]) { _, new in new }
        let setup = AWSSetup(environment: env, rates: try RequestRates.parse("logs=20/20"))
        let before = setup.pacer.currentRate(principal: "chain", region: "us-east-1", service: "logs",
                                             operation: "DescribeLogGroups")
        _ = try await setup.client(region: "us-east-1").json(.logs, "DescribeLogGroups", .map(["limit": .int(1)]))
        let after = setup.pacer.currentRate(principal: "chain", region: "us-east-1", service: "logs",
                                            operation: "DescribeLogGroups")
        #expect(before == 20)
        #expect(mode == "adaptive" ? after < 20 : after == 20, "\(after)")
    }

    /// Where AWS publishes no rate, the table's start adapts in every retry mode: the first
    /// throttled answer lowers that bucket, and only that one.
    @Test(arguments: ["adaptive", "standard"])
    func anAdaptiveStartLowersOnAThrottleInEveryMode(_ mode: String) async throws {
        let proxy = try FaultProxy(.throttle, failures: 2, motoPort: MotoServer.shared.port)
        let env = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": proxy.server.url,
                                                         "AWS_RETRY_MODE": mode]) { _, new in new }
        let setup = AWSSetup(environment: env)
        let rate = { (service: String, operation: String) in
            setup.pacer.currentRate(principal: "chain", region: "us-east-1", service: service, operation: operation)
        }
        let (service, operation) = ("application-autoscaling", "DescribeScalableTargets")
        #expect(RequestRates.defaults.rate(forKey: service).source == .adaptiveStart)
        #expect(rate(service, operation) == RequestRates.Rate.adaptiveStart.perSecond)
        _ = try await setup.client(region: "us-east-1").json(.applicationAutoScaling, operation,
                                                             .map(["ServiceNamespace": .string("ecs")]))
        #expect(rate(service, operation) < RequestRates.Rate.adaptiveStart.perSecond)
        #expect(rate("cloudformation", "DescribeStacks") == RequestRates.Rate.adaptiveStart.perSecond)
    }

    @Test func maxAttemptsFromTheEnvironment() async throws {
        let proxy = try FaultProxy(.unavailable, failures: 4, motoPort: MotoServer.shared.port)
        let result = try await client(through: proxy, environment: ["AWS_MAX_ATTEMPTS": "5"], waits: Locked([]))
            .query(.sts, "GetCallerIdentity")
        #expect(result.child("Account")?.text == "123456789012")
        #expect(proxy.server.requestCount == 5)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let proxy = try FaultProxy(.throttle, failures: 0, motoPort: MotoServer.shared.port)
        _ = await #expect(throws: AWSError.self) {
            _ = try await client(through: proxy, waits: Locked([])).json(
                .dynamodb, "DescribeTable", .map(["TableName": .string("missing-table")]))
        }
        #expect(proxy.server.requestCount == 1)
    }

    // MARK: The pure policy

    @Test func standardPolicyDecisions() {
        let policy = RetryPolicy()
        let throttled = AWSError(
            service: "s", operation: "o", code: "RequestLimitExceeded", message: "", status: 400, requestId: nil)
        #expect(policy.decision(for: throttled, attempt: 1, jitter: 0.5) == .retry(after: 0.5, cost: 5))
        #expect(policy.decision(for: throttled, attempt: 3, jitter: 0.5) == .stop, "3 attempts by default")
        let denied = AWSError(
            service: "s", operation: "o", code: "AccessDenied", message: "", status: 403, requestId: nil)
        #expect(policy.decision(for: denied, attempt: 1, jitter: 1) == .stop)
        #expect(
            policy.decision(for: TransportError("t", isTimeout: true), attempt: 1, jitter: 1)
                == .retry(after: 1, cost: 10))
        let many = RetryPolicy(maxAttempts: 20)
        #expect(many.decision(for: throttled, attempt: 10, jitter: 1) == .retry(after: 20, cost: 5), "capped at 20 s")
        #expect(RetryPolicy.fromEnvironment(["AWS_RETRY_MODE": "legacy"]).maxAttempts == 5)
        #expect(RetryPolicy.fromEnvironment(["AWS_MAX_ATTEMPTS": "7"]).maxAttempts == 7)
    }

    @Test func retryQuotaRunsOutAndRefills() {
        let quota = RetryQuota()
        var withdrawn = 0
        while quota.withdraw(5) { withdrawn += 1 }
        #expect(withdrawn == 100, "500 tokens at 5 a retry")
        quota.deposit(5)
        #expect(quota.available == 5)
    }
}
