import BallastCore
import FoundationEssentials

/// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` -> STS AssumeRoleWithWebIdentity.
/// This is how GitHub Actions OIDC and EKS service accounts reach AWS.
public struct WebIdentityCredentials: CredentialProvider {
    let environment: [String: String]
    let sts: STSContext
    public let name = "web identity (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE)"

    public init(environment: [String: String], sts: STSContext) {
        self.environment = environment
        self.sts = sts
    }

    public func credentials() async throws -> Credentials? {
        let role = environment["AWS_ROLE_ARN"] ?? "", tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"] ?? ""
        if role.isEmpty, tokenFile.isEmpty { return nil }
        guard !role.isEmpty, !tokenFile.isEmpty else {
            throw CredentialError("web identity needs both AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE; only "
                + (role.isEmpty ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN") + " is set")
        }
        guard let data = FileManager.default.contents(atPath: tokenFile),
            let token = String(data: data, encoding: .utf8)?.trimmed(),
            !token.isEmpty
        else {
            throw CredentialError("web identity: cannot read a token from AWS_WEB_IDENTITY_TOKEN_FILE (\(tokenFile))")
        }
        Secrets.register(token)  // before it is sent: STS's error may echo it
        do {
            return try await sts.assumeRoleWithWebIdentity(
                roleArn: role,
                sessionName: environment["AWS_ROLE_SESSION_NAME"] ?? STSContext.sessionName(),
                token: token)
        } catch let error as AWSError {
            throw CredentialError(
                "web identity: STS AssumeRoleWithWebIdentity for \(role) failed: \(error.code) \(error.message)")
        }
    }
}
