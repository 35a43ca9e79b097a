import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import Foundation

/// Many AWS accounts in memory, at the HTTP level, for `ballast-bench fleet`: ballast's own client signs,
/// paces, retries and parses every request, and this transport answers it as the account the request's
/// credentials belong to would.
///
/// - Every account holds the same resources, one emulator account's (`recordedAccount`): an answer is
///   the emulator's answer to the same request with the account's id put in. Answers are kept by request
///   (`Recording`, which a warm-up run fills and a file carries to each shard process); a request none
///   holds (a batch of a shard's own mix of names) is asked of the emulator once and kept.
/// - STS is answered here: `AssumeRole` gives credentials whose access key id carries the role's
///   account, and `GetCallerIdentity` names that account.
/// - AWS's documented quotas (`AWSQuotas`) are enforced per account as AWS enforces them: one bucket of
///   r a second with a burst of b per account and quota (`FleetQuotas`), shared by every shard process
///   that reads the account at the time. A request over it gets the service's throttling answer and is
///   counted.
/// - Every answer is held `latency` seconds, as a far region's are.
public final class FleetAWS: HTTPTransport, @unchecked Sendable {
    public static let recordedAccount = "123456789012"
    /// The credential chain's own account: the one that assumes each environment's role.
    public static let chainAccount = "999999999999"

    /// A repository of an environment per account (`acct-ACCOUNT`, assuming a role there), each declaring
    /// `items` with the account's own id in their ARNs, as its answers carry them.
    public static func repository(_ items: [ScaleFixture.Item], accounts: [String]) throws -> TempRepository {
        let repo = try TempRepository()
        var files: [String: String] = [:]
        let resources = "resources:\n" + items.map(\.desired).joined()
        for account in accounts {
            files["desired-state/acct-\(account)/environment.yaml"] = "region: us-east-1\naccount: \"\(account)\"\n"
                + "assumeRole:\n  roleArn: arn:aws:iam::\(account):role/ballast-drift\n"
            files["desired-state/acct-\(account)/resources.yaml"] = resources.replacing(recordedAccount, with: account)
        }
        _ = try repo.commit(files, message: "fleet")
        return repo
    }

    /// Drift of the repository's environments (all when `environments` is empty) through this AWS, loaded
    /// as `ballast drift --shard I/N` loads (the shard's resources kept, the rest let go as read) and paced
    /// at ballast's rates, a shard's share of them: the report as `--out-json` writes it, and the resources
    /// kept of those declared.
    /// `phase` is told when each step (load, read, report) is done, for figures of its memory.
    public func drift(repo: String, environments: [String], shard: Shard?,
                      phase: (String) -> Void = { _ in }) async throws -> (report: Value, kept: Int, declared: Int) {
        var request = LoadRequest(repositoryPath: repo, environments: environments)
        if let shard { request.keep = { shard.contains($0) } }
        let loaded = try DesiredStateLoader.builtIn.load(request)
        phase("loaded")
        let environment = [
            "AWS_ACCESS_KEY_ID": Self.accessKey(for: Self.chainAccount, assumed: false),
            "AWS_SECRET_ACCESS_KEY": "fleet-secret", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": "http://fleet.invalid", "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let setup = AWSSetup(environment: environment, transport: self,
                             rates: RequestRates.defaults.shared(among: shard?.count ?? 1))
        let detector = DriftDetector(kinds: .builtIn, clients: setup.clients, lockTables: setup.lockTables)
        var (report, _) = await detector.detect(loaded)
        report.shard = shard
        phase("read")
        let json = report.json()
        phase("report")
        return (json, loaded.state.resourceCount, loaded.declaredResources)
    }

    /// Answers by request key (`key(of:)`), the account in them the recorded one.
    public final class Recording: @unchecked Sendable {
        public struct Answer: Sendable {
            public var status: Int
            public var headers: [String: String]
            public var body: String
        }

        private let lock = NSLock()
        private var answers: [String: Answer]

        public init(_ answers: [String: Answer] = [:]) { self.answers = answers }

        public var count: Int { lock.withLock { answers.count } }
        subscript(key: String) -> Answer? {
            get { lock.withLock { answers[key] } }
            set { lock.withLock { answers[key] = newValue } }
        }

        public var json: Value {
            .map(lock.withLock { answers }.mapValues {
                ["status": .int($0.status), "headers": .map($0.headers.mapValues { .string($0) }),
                 "body": .string($0.body)]
            })
        }

        public convenience init(json: Value) {
            var answers: [String: Answer] = [:]
            for (key, answer) in json.map ?? [:] {
                answers[key] = Answer(status: answer["status"]?.number.map { Int($0) } ?? 200,
                                      headers: (answer["headers"]?.map ?? [:]).compactMapValues(\.string),
                                      body: answer["body"]?.string ?? "")
            }
            self.init(answers)
        }
    }

    /// What one shard's run asked: calls per account (STS included), throttled per account, and the
    /// requests the emulator answered (none recorded).
    public struct Counts: Sendable {
        public var calls: [String: Int] = [:]
        public var throttled: [String: Int] = [:]
        public var throttledOperations: [String: Int] = [:]
        public var operations: [String: [String: Int]] = [:]
        public var askedTheEmulator = 0
    }

    public let recording: Recording
    let emulator: String
    let backend: any HTTPTransport
    let quotas: FleetQuotas
    let latency: Double
    private let lock = NSLock()
    private var counted = Counts()

    /// `emulator`: the URL of a moto holding `recordedAccount`'s resources (unauthenticated: a request's
    /// body changes with its account, so its signature cannot be moto's to check).
    /// `quotas`: the fleet's buckets, the same file for every shard of a run.
    public init(recording: Recording, emulator: String, quotas: FleetQuotas, latency: Double = 0) {
        self.recording = recording
        self.emulator = emulator
        backend = CurlTransport(maxConcurrent: 16)
        self.quotas = quotas
        self.latency = latency
    }

    public var counts: Counts { lock.withLock { counted } }

    /// The access key id of an account's credentials: 20 characters, the account's 12 digits inside.
    public static func accessKey(for account: String, assumed: Bool) -> String {
        (assumed ? "ASIA" : "AKIA") + account + "FLET"
    }

    static func account(of request: HTTPRequest) -> String? {
        guard let authorization = request.header("Authorization"),
              let credential = authorization.firstRange(of: "Credential=") else { return nil }
        let key = authorization[credential.upperBound...].prefix(20)
        return key.count == 20 ? String(key.dropFirst(4).prefix(12)) : nil
    }

    /// What an answer is kept by: method, path, query, JSON target and body, with the account's id the
    /// recorded one's.
    static func key(of request: HTTPRequest, account: String) -> String {
        let (path, query) = request.pathAndQuery
        let text = request.method + " " + path + "?" + query + " " + (request.header("X-Amz-Target") ?? "") + " "
            + String(decoding: request.body, as: UTF8.self)
        return account == recordedAccount ? text : text.replacing(account, with: recordedAccount)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let gate = request.whenSending { await gate() }
        let account = Self.account(of: request) ?? Self.recordedAccount
        let body = String(decoding: request.body, as: UTF8.self)
        let (path, query) = request.pathAndQuery
        var headers: [String: String] = [:]
        for header in request.headers { headers[header.name.lowercased()] = header.value }
        let asked = LoopbackHTTPServer.Request(method: request.method, path: path + (query.isEmpty ? "" : "?" + query),
                                               headers: headers, raw: Array(request.body))
        let operation = ThrottlingProxy.operation(of: asked)
        let allowed = take(account: account, operation: operation)
        if latency > 0 { try await Task.sleep(nanoseconds: UInt64(latency * 1e9)) }
        guard allowed else { return Self.response(ThrottlingProxy.throttlingAnswer(to: asked)) }
        if body.contains("Action=AssumeRole&") { return Self.assumeRole(body) }
        if body.contains("Action=GetCallerIdentity") { return Self.callerIdentity(account) }
        let key = Self.key(of: request, account: account)
        let answer: Recording.Answer
        if let kept = recording[key] {
            answer = kept
        } else {
            let url = emulator + path + (query.isEmpty ? "" : "?" + query)
            var forwarded = HTTPRequest(method: request.method, url: url,
                                        headers: request.headers.map { ($0.name, $0.value) },
                                        body: Array(body.replacing(account, with: Self.recordedAccount).utf8))
            forwarded.setHeader("Host", String(emulator.split(separator: "/").last ?? ""))
            forwarded.headers.removeAll { $0.name.lowercased() == "content-length" }
            let got = try await backend.send(forwarded)
            answer = Recording.Answer(status: got.status, headers: got.headers,
                                      body: String(decoding: got.body, as: UTF8.self))
            recording[key] = answer
            lock.withLock { counted.askedTheEmulator += 1 }
        }
        let text = account == Self.recordedAccount
            ? answer.body : answer.body.replacing(Self.recordedAccount, with: account)
        var answerHeaders = answer.headers
        answerHeaders["content-length"] = nil
        return HTTPResponse(status: answer.status, headers: answerHeaders, body: Array(text.utf8))
    }

    /// Takes a token of `operation`'s quota in `account`; false when none is left.
    private func take(account: String, operation: String) -> Bool {
        let quota = AWSQuotas.quota(of: operation)
        let allowed = quota.map { quotas.take($0, account: account) } ?? true
        lock.withLock {
            counted.calls[account, default: 0] += 1
            counted.operations[account, default: [:]][operation, default: 0] += 1
            if !allowed {
                counted.throttled[account, default: 0] += 1
                counted.throttledOperations[operation, default: 0] += 1
            }
        }
        return allowed
    }

    static func response(_ reply: LoopbackHTTPServer.Reply) -> HTTPResponse {
        guard case .response(let status, let headers, let body) = reply else {
            return HTTPResponse(status: 500, headers: [:], body: [])
        }
        return HTTPResponse(status: status, headers: Dictionary(uniqueKeysWithValues: headers.map {
            ($0.key.lowercased(), $0.value)
        }), body: body)
    }

    static func xml(_ text: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: ["content-type": "text/xml"], body: Array(text.utf8))
    }

    /// STS `AssumeRole`, as botocore's model shapes it: credentials for the role's account, an hour long.
    static func assumeRole(_ body: String) -> HTTPResponse {
        let decoded = body.removingPercentEncoding ?? body
        let arn = decoded.split(separator: "&").first { $0.hasPrefix("RoleArn=") }.map { $0.dropFirst(8) } ?? ""
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        let account = parts.count > 4 ? String(parts[4]) : recordedAccount
        let role = parts.last.flatMap { $0.split(separator: "/").last }.map(String.init) ?? "role"
        let expiration = Date(timeIntervalSinceNow: 3_600).formatted(.iso8601)
        return xml("""
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>\
            <Credentials><AccessKeyId>\(accessKey(for: account, assumed: true))</AccessKeyId>\
            <SecretAccessKey>fleet-secret</SecretAccessKey><SessionToken>fleet-session</SessionToken>\
            <Expiration>\(expiration)</Expiration></Credentials>\
            <AssumedRoleUser><AssumedRoleId>AROAFLEET:ballast</AssumedRoleId>\
            <Arn>arn:aws:sts::\(account):assumed-role/\(role)/ballast</Arn></AssumedRoleUser>\
            </AssumeRoleResult><ResponseMetadata><RequestId>fleet</RequestId></ResponseMetadata></AssumeRoleResponse>
            """)
    }

    static func callerIdentity(_ account: String) -> HTTPResponse {
        xml("""
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>\
            <Arn>arn:aws:sts::\(account):assumed-role/ballast/ballast</Arn><UserId>AROAFLEET:ballast</UserId>\
            <Account>\(account)</Account></GetCallerIdentityResult>\
            <ResponseMetadata><RequestId>fleet</RequestId></ResponseMetadata></GetCallerIdentityResponse>
            """)
    }
}

/// A merged report as two runs of the same state compare it: without when it was read, which shard, and
/// with policy results in one order (a merge sorts them by place).
public func comparableReport(_ text: String) throws -> Value {
    guard case .map(var fields) = try JSON.parse(text) else { return .null }
    fields["generatedAt"] = nil
    fields["shard"] = nil
    if case .list(let results)? = fields["policy"] {
        fields["policy"] = .list(results.sorted { JSON.encode($0) < JSON.encode($1) })
    }
    return .map(fields)
}
