/// The AWS calls a kind's reads and writes make, in one region: the port the kinds are
/// written against. BallastAWS's `AWSClient` signs, paces and retries them; a kind is
/// handed one and never builds its own, so kinds and everything that only needs their
/// schemas (`validate`, policies, the plan check) build without the HTTP client.
public protocol AWSAPI: Sendable {
    var region: String { get }

    /// The same client for another region (transport, credentials and retry quota shared).
    func inRegion(_ other: String) -> any AWSAPI

    /// The region S3 last said a bucket is in (its redirect's `x-amz-bucket-region`), kept for the
    /// session and shared by its clients in every region; nil until S3 has said.
    func bucketRegion(_ bucket: String) -> String?

    /// Keeps, for the session, the region S3 said a bucket is in.
    func rememberBucketRegion(_ bucket: String, _ region: String)

    /// The account these credentials belong to (STS GetCallerIdentity), asked once a session per
    /// identity: the account guard, the plan file and Budgets' calls share the answer.
    func callerAccount() async throws -> String

    /// Who these credentials are (STS GetCallerIdentity): the account and the caller's ARN.
    func callerIdentity() async throws -> (account: String, arn: String)

    /// Where `operation` is paced and how many calls may be in flight there (the applier runs
    /// one queue a slot); unpaced, every operation has a bucket of its own.
    func inFlightSlots(for operation: APIOperation) -> (bucket: String, size: Int)

    /// Whether `service` is reached at AWS's own endpoint, not one set by `AWS_ENDPOINT_URL_*`
    /// (Timestream discovers its endpoint only on AWS).
    func usesDefaultEndpoint(_ service: AWSService) -> Bool

    /// `query` protocol: the `<Action>Result` element of the answer.
    func query(_ service: AWSService, _ action: String, _ parameters: [String: String]) async throws -> XMLTree

    /// `json` protocol: the decoded answer (an empty body is `{}`).
    func json(_ service: AWSService, _ operation: String, _ input: Value, endpoint: String?) async throws -> Value

    /// `rest-json` protocol.
    func restJSON(_ service: AWSService, _ operation: String, method: String, segments: [String],
                  query: [(String, String)], body: Value?) async throws -> Value

    /// S3 GetObject's body, bounded by the transport (a Terraform state).
    func getObject(bucket: String, key: String) async throws -> [UInt8]

    /// `rest-xml` protocol: the root element of the answer.
    func restXML(_ service: AWSService, _ operation: String, method: String, segments: [String],
                 query: [(String, String)], body: String?) async throws -> XMLTree
}

/// The requirements' usual arguments, and pagination for the token styles AWS uses:
/// `nextToken`/`NextToken` (json) and `NextToken`/`Marker` (query).
public extension AWSAPI {
    func query(_ service: AWSService, _ action: String) async throws -> XMLTree {
        try await query(service, action, [:])
    }

    func json(_ service: AWSService, _ operation: String, _ input: Value = .map([:])) async throws -> Value {
        try await json(service, operation, input, endpoint: nil)
    }

    func restJSON(_ service: AWSService, _ operation: String, method: String, segments: [String],
                  query: [(String, String)] = [], body: Value? = nil) async throws -> Value {
        try await restJSON(service, operation, method: method, segments: segments, query: query, body: body)
    }

    func restXML(_ service: AWSService, _ operation: String, method: String, segments: [String],
                 query: [(String, String)] = [], body: String? = nil) async throws -> XMLTree {
        try await restXML(service, operation, method: method, segments: segments, query: query, body: body)
    }

    /// Every page of a json-protocol list call. `token` is the field name used
    /// both in the request and the answer (`nextToken` for Logs, `NextToken` for others).
    func jsonPages(_ service: AWSService, _ operation: String, _ input: [String: Value] = [:],
                   token: String = "nextToken", maxPages: Int = 10_000) async throws -> [Value] {
        var pages: [Value] = []
        var request = input
        while pages.count < maxPages {
            let page = try await json(service, operation, .map(request))
            pages.append(page)
            guard let next = page[token]?.string, !next.isEmpty else { break }
            request[token] = .string(next)
        }
        return pages
    }

    /// Every page of a query-protocol list call (`NextToken` or `Marker`).
    func queryPages(_ service: AWSService, _ action: String, _ parameters: [String: String] = [:],
                    token: String = "NextToken", answerToken: String? = nil,
                    maxPages: Int = 10_000) async throws -> [XMLTree] {
        var pages: [XMLTree] = []
        var request = parameters
        while pages.count < maxPages {
            let page = try await query(service, action, request)
            pages.append(page)
            guard let next = page.child(answerToken ?? token)?.text, !next.isEmpty else { break }
            request[token] = next
        }
        return pages
    }
}

/// The calls by the operation value a kind declares, so a kind spells each operation once.
public extension AWSAPI {
    func query(_ operation: APIOperation, _ parameters: [String: String] = [:]) async throws -> XMLTree {
        try await query(operation.service, operation.name, parameters)
    }

    func queryPages(_ operation: APIOperation, _ parameters: [String: String] = [:], token: String = "NextToken",
                    answerToken: String? = nil, maxPages: Int = 10_000) async throws -> [XMLTree] {
        try await queryPages(operation.service, operation.name, parameters, token: token, answerToken: answerToken,
                             maxPages: maxPages)
    }

    func json(_ operation: APIOperation, _ input: Value = .map([:]), endpoint: String? = nil) async throws -> Value {
        try await json(operation.service, operation.name, input, endpoint: endpoint)
    }

    func jsonPages(_ operation: APIOperation, _ input: [String: Value] = [:], token: String = "nextToken",
                   maxPages: Int = 10_000) async throws -> [Value] {
        try await jsonPages(operation.service, operation.name, input, token: token, maxPages: maxPages)
    }

    func restJSON(_ operation: APIOperation, method: String, segments: [String], query: [(String, String)] = [],
                  body: Value? = nil) async throws -> Value {
        try await restJSON(operation.service, operation.name, method: method, segments: segments, query: query,
                           body: body)
    }

    func restXML(_ operation: APIOperation, method: String, segments: [String], query: [(String, String)] = [],
                 body: String? = nil) async throws -> XMLTree {
        try await restXML(operation.service, operation.name, method: method, segments: segments, query: query,
                          body: body)
    }
}
