import BallastCore

/// KMS keys, identified by key id, key ARN or alias: automatic rotation.
public struct KMSKeyKind: ResourceKind {
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
}
