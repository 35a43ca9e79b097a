import BallastCore

/// KMS keys, identified by key id, key ARN or alias: automatic rotation.
public struct KMSKeyKind: ResourceKind {
    /// `aws_kms_key`.
    public static let terraform = TerraformMapping("aws_kms_key", idAttribute: "key_id", [
        .init("/EnableKeyRotation", "enable_key_rotation"),
        .init("/RotationPeriodInDays", "rotation_period_in_days", convert: TerraformValue.unless(0)),
    ])

    public static let schema = ResourceSchema(
        type: "AWS::KMS::Key",
        properties: ObjectSchema([
            ("EnableKeyRotation", .boolean),
            ("RotationPeriodInDays", .integer(90...2560)),
        ]),
        checks: { r in
            // A rotation period means nothing while rotation is off.
            guard r.exactValue(at: "/EnableKeyRotation") == .bool(false), r.expectation(at: "/RotationPeriodInDays") != nil else {
                return []
            }
            return [Diagnostic(r.location(of: "/RotationPeriodInDays"), "RotationPeriodInDays needs EnableKeyRotation: true")]
        })

    public static let permissions = KindPermissions(
        read: ["kms:DescribeKey", "kms:GetKeyRotationStatus"],
        write: ["kms:EnableKeyRotation", "kms:DisableKeyRotation"]) { id, region, account in
        // An alias names a key only AWS can resolve: any key of the account.
        let key = id.hasPrefix("alias/") || id.contains(":alias/") ? "*" : ARN.name(id, after: "key/")
        return "arn:aws:kms:\(region):\(account):key/\(key)"
    }

    /// GetKeyRotationStatus, one key at a time. It takes a key id or ARN only,
    /// so an alias is resolved to its key with DescribeKey first.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["NotFoundException"]) { target in
            var keyId = target.id
            if isAlias(target.id) {
                let key = try await client.json(.kms, "DescribeKey", .map(["KeyId": .string(target.id)]))
                guard let resolved = key["KeyMetadata"]?["KeyId"]?.string else { return .missing }
                keyId = resolved
            }
            let status = try await client.json(.kms, "GetKeyRotationStatus", .map(["KeyId": .string(keyId)]))
            let enabled = status["KeyRotationEnabled"]?.bool ?? false
            var live: [String: Value] = ["EnableKeyRotation": .bool(enabled)]
            // The period is only meaningful while rotation is on; AWS's default
            // (and the fixed period before custom periods existed) is 365 days.
            if enabled { live["RotationPeriodInDays"] = status["RotationPeriodInDays"] ?? .int(365) }
            return .found(live)
        }
    }

    static func isAlias(_ id: String) -> Bool {
        id.hasPrefix("alias/") || ARN(id)?.resource.hasPrefix("alias/") == true
    }

    public static func plannedReads(_ targets: [LiveTarget]) -> [String: Int] {
        ["DescribeKey": targets.filter { isAlias($0.id) }.count, "GetKeyRotationStatus": targets.count]
            .filter { $0.value > 0 }
    }

    public static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        guard let change = ChangeBuilder.change(drift, call: "kms:EnableKeyRotation") else { return [] }
        return [change.to("/EnableKeyRotation") == false ? change.calling("kms:DisableKeyRotation") : change]
    }

    public static func apply(_ change: PlannedChange, with client: any AWSAPI) async throws {
        var keyId = change.id
        if isAlias(keyId) {
            let key = try await client.json(.kms, "DescribeKey", .map(["KeyId": .string(keyId)]))
            keyId = key["KeyMetadata"]?["KeyId"]?.string ?? keyId
        }
        var input: [String: Value] = ["KeyId": .string(keyId)]
        switch change.call {
        case "kms:EnableKeyRotation":
            input["RotationPeriodInDays"] = change.to("/RotationPeriodInDays")
            _ = try await client.json(.kms, "EnableKeyRotation", .map(input))
        case "kms:DisableKeyRotation": _ = try await client.json(.kms, "DisableKeyRotation", .map(input))
        default: throw UnsupportedWrite(call: change.call)
        }
    }
}
