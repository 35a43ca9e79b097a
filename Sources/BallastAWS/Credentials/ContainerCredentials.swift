import BallastCore
import Foundation

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
            url = full
        } else {
            return nil
        }
        var request = HTTPRequest(method: "GET", url: url)
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file), let token = String(data: data, encoding: .utf8) else {
                throw CredentialError("ECS credentials: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (\(file))")
            }
            request.setHeader("Authorization", token.trimmingCharacters(in: .whitespacesAndNewlines))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            request.setHeader("Authorization", token)
        }
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch {
            throw CredentialError("ECS credentials: the container endpoint \(request.hostHeader ?? url) did not answer (\(error))")
        }
        guard response.status == 200 else {
            throw CredentialError("ECS credentials: the container endpoint answered HTTP \(response.status)")
        }
        return try MetadataCredentials.decode(response.body, source: "ECS credentials")
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
