import Foundation

/// Secret values this process holds (the credentials it resolved, tokens it read),
/// scrubbed from everything it prints: an AWS error body or an endpoint's answer
/// may echo a request's Authorization header or session token.
public enum Secrets {
    private static let known = KnownSecrets()

    /// Remembers a secret; values under 8 characters are too short to match safely.
    public static func register(_ value: String?) {
        guard let value, value.count >= 8 else { return }
        known.add(value)
    }

    static func register(_ credentials: Credentials) {
        register(credentials.secretAccessKey)
        register(credentials.sessionToken)
        register(credentials.accessKeyId)
    }

    /// `text` with every known secret and every SigV4 signature replaced by `<redacted>`.
    public static func scrub(_ text: String) -> String {
        var out = text
        for secret in known.values where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "<redacted>")
        }
        guard out.contains("Signature=") else { return out }
        var parts = out.components(separatedBy: "Signature=")
        for index in parts.indices.dropFirst() {
            let hex = parts[index].prefix { $0.isHexDigit }
            if hex.count >= 16 { parts[index] = "<redacted>" + parts[index].dropFirst(hex.count) }
        }
        return parts.joined(separator: "Signature=")
    }
}

/// The set behind `Secrets`, longest first so a token that contains a key is replaced whole.
private final class KnownSecrets: @unchecked Sendable {
    private let lock = NSLock()
    private var set: [String] = []

    func add(_ value: String) {
        lock.withLock {
            guard !set.contains(value) else { return }
            set.append(value)
            set.sort { $0.count > $1.count }
        }
    }

    var values: [String] { lock.withLock { set } }
}
