import FoundationEssentials

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

    /// Variables whose whole value is a secret.
    public static let secretVariables = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
                                         "AWS_CONTAINER_AUTHORIZATION_TOKEN", "GITHUB_TOKEN", "BALLAST_PLAN_KEY"]

    /// Every secret the process environment hands ballast, before anything runs: the variables
    /// above, and the credentials inside any URL a variable holds (`https://user:pass@host`,
    /// as `AWS_ENDPOINT_URL`, `GITHUB_API_URL` or a proxy may).
    public static func register(environment: [String: String]) {
        for name in secretVariables { register(environment[name]) }
        for value in environment.values { registerURL(value) }
    }

    /// A URL that is itself a secret (a Slack webhook: whoever has it can post), and its credentials.
    public static func registerSecretURL(_ url: String) {
        register(url)
        registerURL(url)
    }

    /// The `user:password` of a URL, and the password alone.
    static func registerURL(_ text: String) {
        guard let userinfo = userinfo(in: text) else { return }
        register(String(userinfo))
        if let colon = userinfo.firstIndex(of: ":") { register(String(userinfo[userinfo.index(after: colon)...])) }
    }

    /// What stands between `://` and the `@` of a URL's authority.
    static func userinfo(in text: String) -> Substring? {
        guard let scheme = text.firstRange(of: "://") else { return nil }
        return userinfo(after: text[scheme.upperBound...])
    }

    /// The `user:pass` at the start of `rest` (what follows a `://`), up to the authority's last
    /// `@`; nil without one. The authority ends at a path, query, fragment, space or quote.
    static func userinfo(after rest: Substring) -> Substring? {
        let authority = rest.prefix { !"/?#\"'".contains($0) && !$0.isWhitespace }
        guard let at = authority.lastIndex(of: "@"), at != authority.startIndex else { return nil }
        return authority[..<at]
    }

    /// `text` with every known secret, the credentials of every URL (whatever their length)
    /// and every SigV4 signature replaced by `<redacted>`.
    public static func scrub(_ text: String) -> String {
        var out = text
        for secret in known.values where out.contains(secret) {
            out = out.replacing(secret, with: "<redacted>")
        }
        if out.contains("@"), out.contains("://") { out = scrubURLCredentials(out) }
        guard out.contains("Signature=") else { return out }
        var parts = out.components(separatedBy: "Signature=")
        for index in parts.indices.dropFirst() {
            let hex = parts[index].prefix { $0.isHexDigit }
            if hex.count >= 16 { parts[index] = "<redacted>" + parts[index].dropFirst(hex.count) }
        }
        return parts.joined(separator: "Signature=")
    }
}

extension Secrets {
    /// `scheme://user:pass@host` -> `scheme://<redacted>@host`, for every URL in `text`.
    static func scrubURLCredentials(_ text: String) -> String {
        var parts = text.components(separatedBy: "://")
        for index in parts.indices.dropFirst() {
            guard let userinfo = userinfo(after: parts[index][...]) else { continue }
            parts[index] = "<redacted>" + parts[index][userinfo.endIndex...]
        }
        return parts.joined(separator: "://")
    }
}

/// The set behind `Secrets`, longest first so a token that contains a key is replaced whole.
private final class KnownSecrets: @unchecked Sendable {
    private let lock = Lock()
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
