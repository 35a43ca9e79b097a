import BallastCore

/// An environment that names an account is only read with credentials for that
/// account: a report of "everything DELETED" from the wrong account misleads.
public struct AccountGuard: Sendable {
    let client: @Sendable (String) -> any AWSAPI

    /// The problem when an environment's guard names another account than the credentials'.
    public static func mismatch(_ environment: Environment, account: String) -> String? {
        guard let expected = environment.account, expected != account else { return nil }
        return
            "environment \(environment.name) is guarded to account \(expected), but the credentials are for \(account)"
    }

    /// The account the client's credentials belong to; nil when STS cannot say.
    public static func account(_ client: any AWSAPI) async -> String? {
        try? await client.callerAccount()
    }

    /// The account a plan of `state` is made in, which a plan file records and apply checks: the identity
    /// its first environment is read as (its role's, when it has one).
    public static func planAccount(_ state: DesiredState, clients: AWSClients) async -> String? {
        let first = state.environments.first
        return await account(clients(first?.region ?? "us-east-1", first?.assumeRole))
    }

    /// Environment name -> why its resources are not checked.
    func problems(for environments: [Environment]) async -> [String: String] {
        let guarded = environments.filter { $0.account != nil }
        guard let first = guarded.first else { return [:] }
        let account: String
        do {
            account = try await client(first.region).callerAccount()
        } catch {
            let reason = "account guard: cannot tell which account the credentials belong to (\(error))"
            return Dictionary(guarded.map { ($0.name, reason) }, uniquingKeysWith: { a, _ in a })
        }
        var problems: [String: String] = [:]
        for environment in guarded {
            problems[environment.name] = Self.mismatch(environment, account: account).map { "account guard: " + $0 }
        }
        return problems
    }
}
