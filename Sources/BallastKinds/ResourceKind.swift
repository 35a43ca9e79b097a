import BallastCore

/// One AWS resource type ballast manages. Each kind lives in one file and knows
/// its CloudFormation schema, how to read its live settings in CloudFormation's
/// names, and the comparison rules that keep AWS's habits from looking like drift.
public protocol ResourceKind: Sendable {
    static var schema: ResourceSchema { get }

    /// Reads these resources (all of this kind, in the client's region) with
    /// the fewest calls the APIs allow. Every target gets an answer, keyed by id.
    static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead]

    static var comparison: ComparisonRules { get }

    /// The IAM actions `read` and `apply` call, and the ARN of a resource, for `ballast iam-policy`.
    static var permissions: KindPermissions { get }

    /// Live values seen the way the desired state means them, where AWS fills
    /// in what the repository leaves to it (an S3 rule's generated Id).
    static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value]

    /// The id ballast uses for a CloudFormation physical id (an ECS service ARN -> `cluster/service`).
    static func id(fromPhysicalId physicalId: String) -> String

    /// The API writes that fix a MODIFIED resource, as few as the APIs allow.
    static func changes(for drift: ResourceDrift) -> [PlannedChange]

    /// Performs one planned change. Every write sets absolute values, so repeating it is safe.
    static func apply(_ change: PlannedChange, with client: any AWSAPI) async throws

    /// The Terraform AWS provider's resource for this kind, for ownership and import.
    static var terraform: TerraformMapping { get }

    /// The fewest calls `read` makes for these targets, by operation (`--dry-run-reads`): what the
    /// batch sizes allow, before any paging the answers may need.
    static func plannedReads(_ targets: [LiveTarget]) -> [String: Int]

    /// The ids of every resource of this kind whose id starts with `prefix` (for `import --id GLOB`),
    /// or nil when the kind cannot list.
    static func list(prefix: String, with client: any AWSAPI) async throws -> [String]?
}

public extension ResourceKind {
    static var comparison: ComparisonRules { .plain }
    static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] { live }
    static func id(fromPhysicalId physicalId: String) -> String { physicalId }
    static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? { nil }
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

    public static func kind(for type: String) -> (any ResourceKind.Type)? {
        kinds.first { $0.schema.type == type }
    }
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
