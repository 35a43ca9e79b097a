import BallastCore
import FoundationEssentials
import Glibc

/// ECS task credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
/// 169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with the optional
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]` as the Authorization header.
public struct ContainerCredentials: CredentialProvider {
    let environment: [String: String]
    let transport: any HTTPTransport
    public let name = "ECS container endpoint (AWS_CONTAINER_CREDENTIALS_*_URI)"

    public init(environment: [String: String], transport: any HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public func credentials() async throws -> Credentials? {
        let url: String
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            try Self.refuseUnlessAllowed(full)
            url = full
        } else {
            return nil
        }
        var request = HTTPRequest(method: "GET", url: url)
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
            else {
                throw CredentialError("ECS credentials: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (\(file))")
            }
            let token = text.trimmed()
            Secrets.register(token)
            request.setHeader("Authorization", token)
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            Secrets.register(token)
            request.setHeader("Authorization", token)
        }
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch {
            throw CredentialError(
                "ECS credentials: the container endpoint \(request.hostHeader ?? url) did not answer (\(error))")
        }
        guard response.status == 200 else {
            throw CredentialError("ECS credentials: the container endpoint answered HTTP \(response.status)")
        }
        return try MetadataCredentials.decode(response.body, source: "ECS credentials")
    }
}

extension ContainerCredentials {
    /// Hosts a plain-http full URI may name, as AWS's SDKs allow: the ECS and EKS
    /// agents' link-local addresses. Loopback addresses are allowed too.
    static let agentHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` may be https anywhere, or http to a loopback
    /// address or an agent's; anything else is refused before connecting, since the
    /// authorization token would go with it.
    static func refuseUnlessAllowed(_ uri: String) throws {
        guard let url = URL(string: uri), let scheme = url.scheme?.lowercased() else {
            throw CredentialError("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL")
        }
        let host = url.host?.lowercased() ?? ""
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if !bare.isEmpty, scheme == "https" || (scheme == "http" && (agentHosts.contains(bare) || isLoopback(bare))) {
            return
        }
        throw CredentialError(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address, "
                + "169.254.170.2, 169.254.170.23 or [fd00:ec2::23]; "
                + "\(UntrustedText.line(scheme))://\(UntrustedText.line(host)) "
                + "was not contacted")
    }

    /// 127.0.0.0/8, ::1 and `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1 && UInt32(bigEndian: address.s_addr) >> 24 == 127
    }
}

/// The JSON document ECS and EC2 metadata endpoints both return.
enum MetadataCredentials {
    static func decode(_ body: [UInt8], source: String) throws -> Credentials {
        guard let json = try? JSON.parse(body), let id = json["AccessKeyId"]?.string,
              let secret = json["SecretAccessKey"]?.string else {
            throw CredentialError("\(source): the endpoint's answer has no AccessKeyId and SecretAccessKey")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: json["Token"]?.string,
                           expiration: json["Expiration"]?.string.flatMap(ISO8601.parse))
    }
}
