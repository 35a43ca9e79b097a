import BallastCore

/// S3 buckets: versioning and lifecycle rules, with CloudFormation's field names.
public struct S3BucketKind: ResourceKind {
    static let transition = ValueType.object(ObjectSchema([
        ("StorageClass", .oneOf(["DEEP_ARCHIVE", "GLACIER", "GLACIER_IR", "INTELLIGENT_TIERING", "ONEZONE_IA", "STANDARD_IA"])),
        ("TransitionInDays", .nonNegative),
    ]))

    static let rule = ValueType.object(ObjectSchema([
        ("Id", .text),
        ("Status", .oneOf(["Enabled", "Disabled"])),
        ("Prefix", .text),
        ("ExpirationInDays", .positive),
        ("ExpiredObjectDeleteMarker", .boolean),
        ("NoncurrentVersionExpirationInDays", .positive),
        ("AbortIncompleteMultipartUpload", .object(ObjectSchema([("DaysAfterInitiation", .positive)]))),
        ("Transitions", .list(transition, maxCount: nil)),
        ("NoncurrentVersionTransitions", .list(transition, maxCount: nil)),
    ]))

    public static let schema = ResourceSchema(
        type: "AWS::S3::Bucket",
        properties: ObjectSchema([
            ("VersioningConfiguration", .object(ObjectSchema([("Status", .oneOf(["Enabled", "Suspended"]))]))),
            ("LifecycleConfiguration", .object(ObjectSchema([("Rules", .list(rule, maxCount: 1000))]))),
        ]),
        checks: { r in
            // S3 requires every lifecycle rule to say whether it is on.
            guard case .list(let rules)? = r.exactValue(at: "/LifecycleConfiguration/Rules") else { return [] }
            return rules.enumerated().compactMap { index, rule in
                guard case .map(let fields) = rule, fields["Status"] == nil else { return nil }
                return Diagnostic(r.location(of: "/LifecycleConfiguration/Rules"),
                                  "lifecycle rule \(index + 1) needs Status: Enabled or Disabled")
            }
        })
}
