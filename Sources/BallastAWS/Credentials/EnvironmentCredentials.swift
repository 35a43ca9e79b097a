import BallastCore
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentials: CredentialProvider {
    let environment: [String: String]
    public let name = "environment variables (AWS_ACCESS_KEY_ID)"

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func credentials() async throws -> Credentials? {
        let id = environment["AWS_ACCESS_KEY_ID"] ?? "", secret = environment["AWS_SECRET_ACCESS_KEY"] ?? ""
        if id.isEmpty, secret.isEmpty { return nil }
        guard !id.isEmpty, !secret.isEmpty else {
            throw CredentialError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together; only "
                + (id.isEmpty ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is set")
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }
}

/// Fixed credentials (a source profile's keys, tests).
public struct StaticCredentials: CredentialProvider {
    let value: Credentials
    public let name: String

    public init(_ value: Credentials, name: String = "static") {
        self.value = value
        self.name = name
    }

    public func credentials() async throws -> Credentials? { value }
}
