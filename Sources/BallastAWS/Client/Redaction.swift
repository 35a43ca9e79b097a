import BallastCore
/// What may be shown of secrets: nothing, or for an access key id only its last four characters.
public enum Redaction {
    static let sensitiveHeaders: Set<String> = ["authorization", "x-amz-security-token", "x-aws-ec2-metadata-token"]

    public static func accessKey(_ id: String) -> String {
        String(repeating: "*", count: max(0, id.count - 4)) + id.suffix(4)
    }

    /// Header value safe to log.
    static func header(_ name: String, _ value: String) -> String {
        guard sensitiveHeaders.contains(name.lowercased()) else { return value }
        if name.lowercased() == "authorization", let credential = value.firstRange(of: "Credential=") {
            // Keep the scope (date/region/service), drop key id and signature.
            let scope = value[credential.upperBound...].split(separator: ",").first?.split(separator: "/").dropFirst()
            return "AWS4-HMAC-SHA256 Credential=<redacted>/\(scope?.joined(separator: "/") ?? "")"
                + ", SignedHeaders=…, Signature=<redacted>"
        }
        return "<redacted>"
    }
}
