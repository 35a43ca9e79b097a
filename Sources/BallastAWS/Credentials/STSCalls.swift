import BallastCore
import FoundationEssentials

/// What credential providers need to call STS themselves.
public struct STSContext: Sendable {
    public let transport: any HTTPTransport
    public let endpoints: EndpointResolver
    public let region: String

    public init(transport: any HTTPTransport, endpoints: EndpointResolver, region: String?) {
        self.transport = transport
        self.endpoints = endpoints
        self.region = region ?? "us-east-1"
    }

    /// A client signing with `credentials`; nil is only for unsigned operations,
    /// which never ask for credentials (see `AWSOperation.unsigned`).
    func client(signedWith credentials: Credentials?) -> AWSClient {
        let provider = StaticCredentials(credentials ?? Credentials(accessKeyId: "", secretAccessKey: ""))
        return AWSClient(
            region: region, credentials: CachedCredentials(provider), transport: transport, endpoints: endpoints)
    }

    /// AssumeRoleWithWebIdentity: unsigned, the token is the proof.
    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> Credentials {
        var operation = AWSOperation.query(
            .sts, "AssumeRoleWithWebIdentity",
            ["RoleArn": roleArn, "RoleSessionName": sessionName, "WebIdentityToken": token])
        operation.unsigned = true
        let client = client(signedWith: nil)
        let response = try await client.send(operation)
        return try Self.credentials(in: XMLTree.parse(response.body), action: "AssumeRoleWithWebIdentity")
    }

    func assumeRole(roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
                    with source: Credentials) async throws -> Credentials {
        var parameters = ["RoleArn": roleArn, "RoleSessionName": sessionName]
        if let externalId { parameters["ExternalId"] = externalId }
        if let durationSeconds { parameters["DurationSeconds"] = String(durationSeconds) }
        let result = try await client(signedWith: source).query(.sts, "AssumeRole", parameters)
        return try Self.credentials(in: result, action: "AssumeRole")
    }

    static func credentials(in node: XMLTree?, action: String) throws -> Credentials {
        guard let c = node?.first("Credentials"), let id = c.child("AccessKeyId")?.text,
              let secret = c.child("SecretAccessKey")?.text else {
            throw CredentialError("STS \(action) answered without credentials")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: c.child("SessionToken")?.text,
                           expiration: c.child("Expiration").flatMap { ISO8601.parse($0.text) })
    }

    static func sessionName() -> String {
        "ballast-\(Int(Date().timeIntervalSince1970))"
    }
}

enum ISO8601 {
    static func parse(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle().parse(text))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
    }
}
