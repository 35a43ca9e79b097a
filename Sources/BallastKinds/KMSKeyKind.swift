import BallastCore
import FoundationEssentials

/// KMS keys, identified by key id, key ARN or alias: automatic rotation.
public struct KMSKeyKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive, rotation: rotation, plannedReads: plannedReads,
        changes: changes(for:))

    /// With rotation on, whether it happened: the newest of `ListKeyRotations` against AWS's
    /// `NextRotationDate` (or the last rotation plus the period). A key that never rotated and whose next
    /// date nothing says is not overdue: its first rotation comes a period after rotation was turned on.
    static func rotation(_ live: [String: Value], grace: TimeInterval, now: Date) -> Rotation? {
        guard live["EnableKeyRotation"] == .bool(true), live[lastRotation] != nil || live[nextRotation] != nil
            || live[rotationsRead] == .bool(true) else { return nil }
        let last = live[lastRotation]?.number.map(Date.init(timeIntervalSince1970:))
        let period = (live["RotationPeriodInDays"]?.number ?? 365) * 86_400
        let due = live[nextRotation]?.number.map(Date.init(timeIntervalSince1970:))
            ?? last?.addingTimeInterval(period)
        return Rotation(last: last, due: due, overdue: due.map { now > $0.addingTimeInterval(grace) } ?? false)
    }

    /// What the reads say that no one declares: read for `rotation`, never compared.
    static let lastRotation = "LastRotatedDate", nextRotation = "NextRotationDate", rotationsRead = "RotationsRead"
    /// "You can perform on-demand key rotation a maximum of 10 times per KMS key", and automatic rotation
    /// comes at most every 90 days (AWS KMS Developer Guide, "Rotate AWS KMS keys"): a key's rotations fit
    /// one page of 1,000 (`Limit` "must be between 1 and 1000", AWS KMS API Reference, ListKeyRotations)
    /// for centuries; five pages, ballast's bound, stop a strange answer.
    static let rotationPages = 5

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
    static let listKeyRotations = APIOperation(.kms, "ListKeyRotations")

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
        read: [describeKey, getKeyRotationStatus, listKeyRotations],
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
            if let next = status[nextRotation]?.number, next.isFinite { live[nextRotation] = .double(next) }
            // Whether rotation happened: read where the repository declares rotation, one call a key.
            if target.declared.contains("EnableKeyRotation") {
                live[rotationsRead] = .bool(true)
                if let last = try await newestRotation(keyId, client) { live[lastRotation] = .double(last) }
            }
            return .found(live)
        }
    }

    /// The newest `RotationDate` of the key's rotations, in seconds since 1970; nil when it never rotated.
    static func newestRotation(_ keyId: String, _ client: any AWSAPI) async throws -> Double? {
        var newest: Double?, marker: String?
        for _ in 0..<rotationPages {
            var input: [String: Value] = ["KeyId": .string(keyId), "Limit": .int(1_000)]
            if let marker { input["Marker"] = .string(marker) }
            let page = try await client.json(listKeyRotations, .map(input))
            for rotation in page["Rotations"]?.list ?? [] {
                guard let date = rotation["RotationDate"]?.number, date.isFinite else { continue }
                newest = max(newest ?? date, date)
            }
            guard page["Truncated"]?.bool == true, let next = page["NextMarker"]?.string else { break }
            marker = next
        }
        return newest
    }

    static func isAlias(_ id: String) -> Bool {
        id.hasPrefix("alias/") || ARN(id)?.resource.hasPrefix("alias/") == true
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeKey: targets.filter { isAlias($0.id) }.count, getKeyRotationStatus: targets.count,
         listKeyRotations: targets.filter { $0.declared.contains("EnableKeyRotation") }.count]
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
