import BallastCore
import FoundationEssentials

/// One source of credentials. Returns nil when it is not configured here (the
/// chain moves on); throws when it is configured but broken (the chain stops:
/// falling through to another identity would be a surprise).
public protocol CredentialProvider: Sendable {
    /// How `doctor` and errors name it: "environment", "profile dev (~/.aws/config)".
    var name: String { get }
    func credentials() async throws -> Credentials?
    /// The credentials with the name of the source that gave them; a chain
    /// names the member that answered.
    func resolve() async throws -> ResolvedCredentials?
}

extension CredentialProvider {
    public func resolve() async throws -> ResolvedCredentials? {
        try await credentials().map { ResolvedCredentials(credentials: $0, source: name) }
    }
}

/// A configured source that does not work, in one sentence.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Credentials and the name of the source that gave them.
public struct ResolvedCredentials: Sendable {
    public let credentials: Credentials
    public let source: String
}

/// Wraps a provider and keeps its temporary credentials until shortly before
/// they expire; long-lived ones are kept for the process. One refresh at a time.
public actor CachedCredentials {
    private let provider: any CredentialProvider
    private let refreshMargin: TimeInterval
    private let clock: @Sendable () -> Date
    private var cached: ResolvedCredentials?
    private var inFlight: Task<ResolvedCredentials, Error>?

    public init(_ provider: any CredentialProvider, refreshMargin: TimeInterval = 300,
                clock: @escaping @Sendable () -> Date = Date.init) {
        self.provider = provider
        self.refreshMargin = refreshMargin
        self.clock = clock
    }

    public func resolve() async throws -> ResolvedCredentials {
        if let cached, !needsRefresh(cached.credentials) { return cached }
        if let inFlight { return try await inFlight.value }
        let provider = self.provider
        let task = Task { () throws -> ResolvedCredentials in
            guard let found = try await provider.resolve() else {
                throw CredentialError("no AWS credentials found; tried \(provider.name)")
            }
            Secrets.register(found.credentials)
            return found
        }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }

    func needsRefresh(_ credentials: Credentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(clock()) < refreshMargin
    }
}
