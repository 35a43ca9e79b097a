import BallastCrypto
import BallastCore
import FoundationEssentials
import Dispatch

/// Signs, sends and retries AWS calls for one region. Protocol-specific
/// helpers (`query`, `json`, `restJSON`, `restXML`) decode the answers.
public final class AWSClient: AWSAPI {
    public let region: String
    public let endpoints: EndpointResolver
    let credentials: CachedCredentials
    let transport: any HTTPTransport
    let retry: RetryPolicy
    let quota: RetryQuota
    let log: AWSLog?
    /// Paces the requests; nil sends them as they come (tests of the retry loop).
    let pacer: RequestPacer?
    /// Whose quotas the requests count against: the role's account, or the credential chain.
    let principal: String
    let clock: @Sendable () -> Date
    let jitter: @Sendable () -> Double
    let sleep: @Sendable (Double) async -> Void
    /// What the session's clients share: buckets' regions (a read, its writes and their read-back
    /// learn a bucket's region once) and the credentials' account.
    let facts: SessionFacts

    public init(region: String, credentials: CachedCredentials, transport: any HTTPTransport,
                endpoints: EndpointResolver, retry: RetryPolicy = RetryPolicy(), quota: RetryQuota = RetryQuota(),
                log: AWSLog? = nil, pacer: RequestPacer? = nil, principal: String = "chain",
                clock: @escaping @Sendable () -> Date = Date.init,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
                sleep: @escaping @Sendable (Double) async -> Void = {
                    try? await Task.sleep(nanoseconds: UInt64($0 * 1e9))
                },
                facts: SessionFacts = SessionFacts()) {
        self.facts = facts
        self.region = region
        self.credentials = credentials
        self.transport = transport
        self.endpoints = endpoints
        self.retry = retry
        self.quota = quota
        self.log = log
        self.pacer = pacer
        self.principal = principal
        self.clock = clock
        self.jitter = jitter
        self.sleep = sleep
    }

    /// The same client for another region (transport, credentials and retry quota shared).

    public func bucketRegion(_ bucket: String) -> String? { facts.region(of: bucket) }

    public func rememberBucketRegion(_ bucket: String, _ region: String) { facts.remember(bucket, region) }

    public func callerAccount() async throws -> String {
        try await facts.account(of: principal) { [self] in try await callerIdentity().account }
    }

    /// Who these credentials are (STS GetCallerIdentity): the account and the caller's ARN.
    public func callerIdentity() async throws -> (account: String, arn: String) {
        let answer = try await query(.sts, "GetCallerIdentity")
        guard let account = answer.child("Account")?.text, let arn = answer.child("Arn")?.text, !arn.isEmpty else {
            throw AWSError(service: "STS", operation: "GetCallerIdentity", code: "IncompleteAnswer",
                           message: "the answer names no account or no caller", status: 0, requestId: nil)
        }
        return (account, arn)
    }

    public func usesDefaultEndpoint(_ service: AWSService) -> Bool {
        endpoints.endpoint(for: service, region: region).source == "default"
    }

    public func inRegion(_ other: String) -> any AWSAPI {
        AWSClient(region: other, credentials: credentials, transport: transport, endpoints: endpoints, retry: retry,
                  quota: quota, log: log, pacer: pacer, principal: principal, clock: clock, jitter: jitter,
                  sleep: sleep, facts: facts)
    }

    /// Where this client's `operation` is paced and how many may be in flight there; unpaced,
    /// every operation has a bucket of its own.
    public func inFlightSlots(for operation: APIOperation) -> (bucket: String, size: Int) {
        pacer?.slots(principal: principal, region: region, operation: operation) ?? (operation.call, .max)
    }

    /// `ballast/0.1.0`: how CloudTrail's `userAgent` names ballast's calls.
    public static let userAgent = "ballast/" + BallastVersion.current

    /// Sends with retries; returns a 2xx response or throws `AWSError`.
    public func send(_ operation: AWSOperation) async throws -> HTTPResponse {
        let endpoint = operation.endpoint ?? endpoints.endpoint(for: operation.service, region: region).url
        var attempt = 1
        var spent = 0
        while true {
            let failure: Error
            switch try await pacedAttempt(operation, endpoint: endpoint, attempt: attempt) {
            case .success(let response):
                quota.deposit(spent > 0 ? spent : 1)
                return response
            case .failure(let error):
                failure = error
            }
            guard case .retry(let wait, let cost) = retry.decision(for: failure, attempt: attempt, jitter: jitter()),
                  quota.withdraw(cost) else {
                log?.failure(failure, operation: operation.name, retryIn: nil)
                throw finalError(failure, operation: operation, attempts: attempt)
            }
            log?.failure(failure, operation: operation.name, retryIn: wait)
            spent += cost
            attempt += 1
            await sleep(wait)
        }
    }

    /// One attempt holding the pacer's permit, admitted before signing (a wait for the token must
    /// not age the signature); the permit goes back with the answer, saying whether it was throttled.
    private func pacedAttempt(_ operation: AWSOperation, endpoint: String,
                              attempt: Int) async throws -> Result<HTTPResponse, Error> {
        guard let pacer else { return try await attemptOnce(operation, endpoint: endpoint, attempt: attempt) }
        let permit = await pacer.admit(principal: principal, region: region, service: operation.service.iamPrefix,
                                       operation: operation.name)
        do {
            let answer = try await attemptOnce(operation, endpoint: endpoint, attempt: attempt) {
                await pacer.sending(permit)
            }
            var throttled = false
            if case .failure(let error) = answer { throttled = RetryPolicy.isThrottling(error) }
            pacer.done(permit, throttled: throttled)
            return answer
        } catch {
            pacer.done(permit, throttled: false)
            throw error
        }
    }

    /// Signs and sends once: a 2xx answer, or the failure the retry policy judges. Throws only
    /// what no retry mends (no credentials).
    private func attemptOnce(_ operation: AWSOperation, endpoint: String, attempt: Int,
                             whenSending: (@Sendable () async -> Void)? = nil) async throws
        -> Result<HTTPResponse, Error> {
        var request = operation.request(endpoint: endpoint)
        request.whenSending = whenSending
        if !operation.unsigned {
            let resolved = try await credentials.resolve().credentials
            let options = operation.service.wire == .restXML ? SigV4Signer.Options.s3 : SigV4Signer.Options()
            SigV4Signer(
                credentials: resolved, region: region, service: operation.service.signingName, options: options
            )
            .sign(&request, date: clock())
        }
        // Unsigned, as the SDKs leave it: CloudTrail records it, so `drift --explain` knows ballast's own writes.
        request.setHeader("User-Agent", Self.userAgent)
        log?.request(request, operation: operation.name, attempt: attempt)
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            let response = try await transport.send(request)
            log?.response(response, operation: operation.name,
                          milliseconds: Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000))
            guard (200..<300).contains(response.status) else {
                return .failure(ErrorParsing.error(from: response, operation: operation))
            }
            return .success(response)
        } catch let error as TransportError {
            return .failure(error)
        }
    }

    private func finalError(_ error: Error, operation: AWSOperation, attempts: Int) -> Error {
        let tries = attempts == 1 ? "" : " (after \(attempts) attempts)"
        if let aws = error as? AWSError {
            guard attempts > 1 else { return aws }
            return AWSError(
                service: aws.service, operation: aws.operation, code: aws.code, message: aws.message + tries,
                status: aws.status, requestId: aws.requestId)
        }
        return AWSError(service: operation.service.serviceId, operation: operation.name, code: "TransportError",
                        message: "\(error)\(tries)", status: 0, requestId: nil)
    }

    // MARK: Protocol helpers

    /// `query` protocol: the `<Action>Result` element of the answer.
    public func query(_ service: AWSService, _ action: String,
                      _ parameters: [String: String]) async throws -> XMLTree {
        let response = try await send(.query(service, action, parameters))
        guard let root = XMLTree.parse(response.body) else {
            throw malformed(service, action, "an XML answer")
        }
        return root.child(action + "Result") ?? root
    }

    /// `json` protocol: the decoded answer (an empty body is `{}`).
    public func json(_ service: AWSService, _ operation: String, _ input: Value,
                     endpoint: String?) async throws -> Value {
        var call = AWSOperation.json(service, operation, input)
        call.endpoint = endpoint
        return try decodeJSON(try await send(call), service, operation)
    }

    /// `rest-json` protocol.
    public func restJSON(
        _ service: AWSService, _ operation: String, method: String, segments: [String],
        query: [(String, String)], body: Value?
    ) async throws -> Value {
        let response = try await send(
            .rest(service, operation, method: method, segments: segments, query: query, jsonBody: body))
        return try decodeJSON(response, service, operation)
    }

    /// `rest-xml` protocol: the root element of the answer.
    public func restXML(_ service: AWSService, _ operation: String, method: String, segments: [String],
                        query: [(String, String)], body: String?) async throws -> XMLTree {
        let response = try await send(.restXML(service, operation, method: method, segments: segments, query: query,
                                               body: body))
        if response.body.isEmpty { return XMLTree(name: "", text: "", children: []) }
        guard let root = XMLTree.parse(response.body) else { throw malformed(service, operation, "an XML answer") }
        return root
    }

    private func decodeJSON(_ response: HTTPResponse, _ service: AWSService, _ operation: String) throws -> Value {
        if response.body.isEmpty { return .map([:]) }
        do { return try JSON.parse(response.body) } catch {
            throw malformed(service, operation, "a JSON answer (\(error))")
        }
    }

    private func malformed(_ service: AWSService, _ operation: String, _ expected: String) -> AWSError {
        AWSError(service: service.serviceId, operation: operation, code: "MalformedResponse",
                 message: "expected \(expected)", status: 200, requestId: nil)
    }
}

public extension AWSClient {
    /// S3 GetObject's body (a Terraform state); the transport bounds its size.
    func getObject(bucket: String, key: String) async throws -> [UInt8] {
        let segments = [bucket] + key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        return try await send(.rest(.s3, "GetObject", method: "GET", segments: segments, query: [], xmlBody: nil)).body
    }
}

/// What a session learns once and its clients share (`AWSSetup`): buckets' regions, as S3 said,
/// and the account each identity's credentials belong to, as STS said.
public final class SessionFacts: @unchecked Sendable {
    private let lock = Lock()
    private var regions: [String: String] = [:]
    private var accounts: [String: Task<String, any Error>] = [:]

    public init() {}

    func region(of bucket: String) -> String? { lock.withLock { regions[bucket] } }
    func remember(_ bucket: String, _ region: String) { lock.withLock { regions[bucket] = region } }

    /// The account of `principal`'s credentials: `ask` once, however many callers ask at once; a
    /// failure is not kept, so a later call asks again.
    func account(of principal: String, _ ask: @escaping @Sendable () async throws -> String) async throws -> String {
        let task = lock.withLock { () -> Task<String, any Error> in
            if let known = accounts[principal] { return known }
            let task = Task { try await ask() }
            accounts[principal] = task
            return task
        }
        do { return try await task.value } catch {
            lock.withLock { if accounts[principal] == task { accounts[principal] = nil } }
            throw error
        }
    }
}
