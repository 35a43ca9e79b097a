import BallastCore
import FoundationEssentials

/// AWS credentials. Their description never shows the secret or the token.
public struct Credentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-lived keys.
    public let expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "Credentials(accessKeyId: \(Redaction.accessKey(accessKeyId)), secret: <redacted>"
            + (sessionToken == nil ? "" : ", token: <redacted>") + ")"
    }
}
