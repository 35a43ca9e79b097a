import BallastCore
import FoundationEssentials

/// An environment's `assumeRole`: STS AssumeRole signed with the chain's credentials
/// (role chaining: CI's OIDC role assumes each account's ballast role), kept until
/// shortly before they expire like any temporary credentials.
struct AssumedRoleProvider: CredentialProvider {
    let role: RoleToAssume
    let source: CachedCredentials
    let sts: STSContext

    var name: String { "assumeRole \(role.roleArn)" }

    func credentials() async throws -> Credentials? {
        let base = try await source.resolve()
        do {
            return try await sts.assumeRole(roleArn: role.roleArn,
                                            sessionName: role.sessionName ?? STSContext.sessionName(),
                                            externalId: role.externalId, durationSeconds: role.durationSeconds,
                                            with: base.credentials)
        } catch let error as AWSError {
            throw CredentialError("cannot assume \(role.roleArn) with the credentials from \(base.source): "
                + "\(error.code): \(error.message)")
        }
    }
}

/// One credentials cache per role, shared by every region's client of that role.
final class AssumedRoles: @unchecked Sendable {
    private let lock = Lock()
    private var caches: [RoleToAssume: CachedCredentials] = [:]

    func credentials(for role: RoleToAssume, make: () -> CachedCredentials) -> CachedCredentials {
        lock.withLock {
            if let known = caches[role] { return known }
            let made = make()
            caches[role] = made
            return made
        }
    }
}
