import BallastCore
/// The AWS CLI's order: environment, web identity, shared profile files, ECS
/// container, EC2 instance metadata. The first source that is configured wins.
public struct CredentialChain: CredentialProvider {
    public let providers: [any CredentialProvider]

    public init(providers: [any CredentialProvider]) {
        self.providers = providers
    }

    /// The standard chain for an environment.
    public static func standard(environment: [String: String], sts: STSContext,
                                metadataTransport: any HTTPTransport) -> CredentialChain {
        CredentialChain(providers: [
            EnvironmentCredentials(environment: environment),
            WebIdentityCredentials(environment: environment, sts: sts),
            ProfileCredentials(environment: environment, files: ProfileFiles(environment: environment), sts: sts),
            ContainerCredentials(environment: environment, transport: metadataTransport),
            InstanceMetadataCredentials(environment: environment, transport: metadataTransport),
        ])
    }

    public var name: String { providers.map(\.name).joined(separator: ", ") }

    public func credentials() async throws -> Credentials? {
        try await resolve()?.credentials
    }

    /// The credentials and the name of the source that gave them.
    public func resolve() async throws -> ResolvedCredentials? {
        for provider in providers {
            if let found = try await provider.credentials() {
                return ResolvedCredentials(credentials: found, source: provider.name)
            }
        }
        return nil
    }
}
