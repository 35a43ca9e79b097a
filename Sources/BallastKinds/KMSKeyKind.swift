import BallastCore

/// KMS keys, identified by key id, key ARN or alias: automatic rotation.
public struct KMSKeyKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive, plannedReads: plannedReads, changes: changes(for:))

    /// Automatic rotation off leaves the key material unrotated, which audits check.
    static let destructive = [
        DestructiveChange(
            "/EnableKeyRotation", .turnedOff,
            reason: "Automatic rotation off: the key material is no longer rotated (a control audits check).",
            source: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"),
    ]

    /// What else changes what it owns: the key scheduled for deletion. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.kms, "ScheduleKeyDeletion"),
    ]

    static let describeKey = APIOperation(.kms, "DescribeKey")
    static let disableKeyRotation = APIOperation(.kms, "DisableKeyRotation")
    static let enableKeyRotation = APIOperation(.kms, "EnableKeyRotation")
    static let getKeyRotationStatus = APIOperation(.kms, "GetKeyRotationStatus")

    /// `aws_kms_key`.
    static let terraform = TerraformMapping("aws_kms_key", idAttribute: "key_id", [
        .init("/EnableKeyRotation", "enable_key_rotation"),
        .init("/RotationPeriodInDays", "rotation_period_in_days", convert: TerraformValue.unless(0)),
    ])

    static let properties = ResourceSchema(
        type: "AWS::KMS::Key",
        properties: ObjectSchema([
            ("EnableKeyRotation", .boolean),
            ("RotationPeriodInDays", .integer(90...2560)),
        ]),
        checks: { r in
            // A rotation period means nothing while rotation is off.
            guard r.exactValue(at: "/EnableKeyRotation") == .bool(false),
                r.expectation(at: "/RotationPeriodInDays") != nil
            else {
                return []
            }
            return [
                Diagnostic(
                    r.location(of: "/RotationPeriodInDays"), "RotationPeriodInDays needs EnableKeyRotation: true")
            ]
        })

    static let permissions = KindPermissions(
        read: [describeKey, getKeyRotationStatus],
        write: [enableKeyRotation, disableKeyRotation]) { id, region, account in
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
                let key = try await client.json(describeKey, .map(["KeyId": .string(target.id)]))
                guard let resolved = key["KeyMetadata"]?["KeyId"]?.string else { return .missing }
                keyId = resolved
            }
            let status = try await client.json(getKeyRotationStatus, .map(["KeyId": .string(keyId)]))
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

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeKey: targets.filter { isAlias($0.id) }.count, getKeyRotationStatus: targets.count]
            .filter { $0.value > 0 }
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        guard let change = ChangeBuilder.change(drift, enableKeyRotation) else { return [] }
        return [change.to("/EnableKeyRotation") == false ? change.calling(disableKeyRotation) : change]
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        enableKeyRotation: { change, client, _ in
            var input = try await key(change, client)
            input["RotationPeriodInDays"] = change.to("/RotationPeriodInDays")
            _ = try await client.json(enableKeyRotation, .map(input))
        },
        disableKeyRotation: { change, client, _ in
            _ = try await client.json(disableKeyRotation, .map(try await key(change, client)))
        },
    ]

    /// `KeyId` for the rotation calls: an alias resolved to its key first.
    static func key(_ change: PlannedChange, _ client: any AWSAPI) async throws -> [String: Value] {
        var keyId = change.id
        if isAlias(keyId) {
            let key = try await client.json(describeKey, .map(["KeyId": .string(keyId)]))
            keyId = key["KeyMetadata"]?["KeyId"]?.string ?? keyId
        }
        return ["KeyId": .string(keyId)]
    }
}
