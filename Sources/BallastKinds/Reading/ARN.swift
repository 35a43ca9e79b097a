/// `arn:partition:service:region:account:resource`, split once.
struct ARN {
    let service: String
    let region: String
    let account: String
    let resource: String

    init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn" else { return nil }
        service = String(parts[2])
        region = String(parts[3])
        account = String(parts[4])
        resource = String(parts[5])
    }

    /// The name after a resource-type prefix: `autoScalingGroupName/` in an
    /// Auto Scaling ARN, `log-group:` in a Logs ARN. Ids that are no ARN pass through.
    static func name(_ id: String, after prefix: String) -> String {
        guard let arn = ARN(id), let range = arn.resource.firstRange(of: prefix) else { return id }
        return String(arn.resource[range.upperBound...])
    }
}
