import FoundationEssentials
import BallastCore

/// Builds clients the way the AWS CLI configures itself from the environment:
/// region, endpoints, credential chain, retry mode, debug logging.
public struct AWSSetup: Sendable {
    public let environment: [String: String]
    public let transport: any HTTPTransport
    public let endpoints: EndpointResolver
    public let credentials: CachedCredentials
    public let retry: RetryPolicy
    public let quota = RetryQuota()
    public let log: AWSLog?
    /// One for every client made here, so an account's buckets are shared by all its clients.
    public let pacer: RequestPacer
    /// Buckets' regions and the credentials' accounts, learnt once per session by every client made here.
    let facts = SessionFacts()
    let profiles: ProfileFiles
    let sts: STSContext
    let assumedRoles = AssumedRoles()

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, debug: Bool = false,
                transport: (any HTTPTransport)? = nil, rates: RequestRates? = nil) {
        self.environment = environment
        let transport = transport ?? CurlTransport()
        self.transport = transport
        endpoints = EndpointResolver(environment: environment)
        profiles = ProfileFiles(environment: environment)
        retry = RetryPolicy.fromEnvironment(environment)
        log = AWSLog.fromEnvironment(environment, force: debug)
        // The CLI refuses a malformed BALLAST_API_RATES before any command runs (`Ballast.main`).
        pacer = RequestPacer(rates: rates ?? (try? RequestRates.fromEnvironment(environment)) ?? .defaults,
                             adaptive: retry.mode == .adaptive)
        let profileName = environment["AWS_PROFILE"] ?? "default"
        let sts = STSContext(transport: transport, endpoints: endpoints,
                             region: Self.envRegion(environment) ?? profiles.region(profile: profileName))
        self.sts = sts
        // Metadata endpoints answer within a second or not at all.
        let metadata = CurlTransport(maxConcurrent: 2, connectTimeoutMs: 1_000, totalTimeoutMs: 2_000)
        credentials = CachedCredentials(
            CredentialChain.standard(environment: environment, sts: sts, metadataTransport: metadata))
    }

    /// Where the region came from, for `doctor`.
    public struct Region: Sendable, Equatable {
        public let name: String
        public let source: String
    }

    /// Flag, then environment.yaml, then `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
    public func region(flag: String? = nil, environmentFile: String? = nil) -> Region? {
        if let flag { return Region(name: flag, source: "--region") }
        if let environmentFile { return Region(name: environmentFile, source: "environment.yaml") }
        for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[variable], !value.isEmpty { return Region(name: value, source: variable) }
        }
        let profile = environment["AWS_PROFILE"] ?? "default"
        return profiles.region(profile: profile).map { Region(name: $0, source: "profile \(profile)") }
    }

    /// Whose rate quotas a role's calls count against: its account (several roles of one
    /// account share the buckets), from the ARN.
    public static func principal(of role: RoleToAssume?) -> String {
        guard let role else { return "chain" }
        let parts = role.roleArn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 4 && !parts[4].isEmpty ? String(parts[4]) : role.roleArn
    }

    static func envRegion(_ environment: [String: String]) -> String? {
        (environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    public func client(region: String) -> AWSClient {
        AWSClient(region: region, credentials: credentials, transport: transport, endpoints: endpoints,
                  retry: retry, quota: quota, log: log, pacer: pacer, facts: facts)
    }

    /// A client for `region` as `role` (assumed once per process and role, with the chain's
    /// credentials); the chain's own identity without one.
    public func client(region: String, role: RoleToAssume?) -> AWSClient {
        guard let role else { return client(region: region) }
        let assumed = assumedRoles.credentials(for: role) {
            CachedCredentials(AssumedRoleProvider(role: role, source: credentials, sts: sts))
        }
        return AWSClient(region: region, credentials: assumed, transport: transport, endpoints: endpoints,
                         retry: retry, quota: quota, log: log, pacer: pacer, principal: Self.principal(of: role),
                         facts: facts)
    }
}
