import BallastCore

extension Secrets {
    /// A resolved identity's secrets, registered before the first request signed with them.
    static func register(_ credentials: Credentials) {
        register(credentials.secretAccessKey)
        register(credentials.sessionToken)
        register(credentials.accessKeyId)
    }
}
