import BallastCore

/// One AWS resource type ballast manages. Each kind lives in one file and knows
/// its CloudFormation schema; reading, comparing and writing join it as the
/// AWS client grows.
public protocol ResourceKind: Sendable {
    static var schema: ResourceSchema { get }
}

/// Every kind ballast knows, by CloudFormation type. Adding a kind is one file
/// plus one line here.
public enum KindRegistry {
    public static let kinds: [any ResourceKind.Type] = [
        AutoScalingGroupKind.self,
        ECSServiceKind.self,
        DynamoDBTableKind.self,
        ScalableTargetKind.self,
        LambdaFunctionKind.self,
        LogGroupKind.self,
        CloudWatchAlarmKind.self,
        RotationScheduleKind.self,
        KMSKeyKind.self,
        DBInstanceKind.self,
        S3BucketKind.self,
        TimestreamTableKind.self,
        EventsRuleKind.self,
    ]

    public static let schemas: [ResourceSchema] = kinds.map { $0.schema }
}

/// Id shapes shared by several kinds.
enum IdFormat {
    /// `a/b` with both parts non-empty.
    static func parts(_ count: Int, _ description: String) -> StringFormat {
        StringFormat(description) { id in
            let parts = id.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == count && parts.allSatisfy { !$0.isEmpty }
        }
    }
}
