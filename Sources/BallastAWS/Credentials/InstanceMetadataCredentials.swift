import BallastCore
/// EC2 instance-profile credentials through IMDSv2: a session token first (PUT),
/// then the role name and its credentials. `AWS_EC2_METADATA_DISABLED=true` turns
/// it off; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it (tests use loopback).
public struct InstanceMetadataCredentials: CredentialProvider {
    let environment: [String: String]
    let transport: any HTTPTransport
    public let name = "EC2 instance metadata (IMDSv2)"

    public init(environment: [String: String], transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    var endpoint: String {
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254"
        return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
    }

    public func credentials() async throws -> Credentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        let tokenResponse: HTTPResponse
        do {
            tokenResponse = try await transport.send(HTTPRequest(
                method: "PUT", url: endpoint + "/latest/api/token",
                headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")]))
        } catch {
            return nil  // no metadata service: not on EC2
        }
        guard tokenResponse.status == 200 else { return nil }
        let token = String(decoding: tokenResponse.body, as: UTF8.self)
        let auth = [("X-aws-ec2-metadata-token", token)]
        let base = endpoint + "/latest/meta-data/iam/security-credentials/"
        let roles = try await transport.send(HTTPRequest(method: "GET", url: base, headers: auth))
        guard roles.status == 200, let role = String(decoding: roles.body, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) else {
            if roles.status == 404 { return nil }  // an instance without a role
            throw CredentialError("EC2 instance metadata: listing the instance role answered HTTP \(roles.status)")
        }
        let document = try await transport.send(HTTPRequest(method: "GET", url: base + role, headers: auth))
        guard document.status == 200 else {
            throw CredentialError(
                "EC2 instance metadata: credentials of role \(role) answered HTTP \(document.status)")
        }
        return try MetadataCredentials.decode(document.body, source: "EC2 instance metadata")
    }
}
