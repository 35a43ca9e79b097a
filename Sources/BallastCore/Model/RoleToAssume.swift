/// `environment.yaml` `assumeRole`: the environment's reads and writes use this role,
/// assumed with the credentials of the chain (role chaining from CI's OIDC role).
public struct RoleToAssume: Sendable, Hashable {
    public var roleArn: String
    public var externalId: String?
    public var sessionName: String?
    /// 900 to 43,200 seconds; STS's default (an hour) when nil.
    public var durationSeconds: Int?

    public init(roleArn: String, externalId: String? = nil, sessionName: String? = nil, durationSeconds: Int? = nil) {
        self.roleArn = roleArn
        self.externalId = externalId
        self.sessionName = sessionName
        self.durationSeconds = durationSeconds
    }

    /// `arn:PARTITION:iam::ACCOUNT:role/NAME`.
    public static func isRoleArn(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0] == "arn" && parts[2] == "iam" && parts[3].isEmpty
            && parts[4].count == 12 && parts[4].allSatisfy(\.isNumber)
            && parts[5].hasPrefix("role/") && parts[5].count > 5
    }
}
