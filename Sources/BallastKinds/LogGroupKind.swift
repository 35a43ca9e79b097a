import BallastCore

/// CloudWatch Logs groups: retention, one of the values PutRetentionPolicy accepts.
public struct LogGroupKind: ResourceKind {
    /// PutRetentionPolicy's allowed values (botocore logs model, `Days`).
    static let retentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                                1827, 2192, 2557, 2922, 3288, 3653]

    public static let schema = ResourceSchema(
        type: "AWS::Logs::LogGroup",
        properties: ObjectSchema([("RetentionInDays", .integerIn(retentionDays))]))
}
