import BallastCore

/// Application Auto Scaling targets, identified as `namespace/resourceId/dimension`,
/// e.g. `dynamodb/table/vehicle-positions/dynamodb:table:ReadCapacityUnits`.
public struct ScalableTargetKind: ResourceKind {
    static let namespaces = ["appstream", "cassandra", "comprehend", "custom-resource", "dynamodb", "ec2", "ecs",
                             "elasticache", "elasticmapreduce", "kafka", "lambda", "neptune", "rds", "sagemaker",
                             "workspaces"]

    /// The first segment is the namespace, the last the dimension (`ns:kind:Property`).
    static let idFormat = StringFormat("namespace/resourceId/dimension") { id in
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, let ns = parts.first, namespaces.contains(String(ns)),
              let dimension = parts.last, dimension.split(separator: ":").count >= 3 else { return false }
        return parts.dropFirst().dropLast().allSatisfy { !$0.isEmpty }
    }

    public static let schema = ResourceSchema(
        type: "AWS::ApplicationAutoScaling::ScalableTarget",
        properties: ObjectSchema([
            ("MinCapacity", .nonNegative),
            ("MaxCapacity", .nonNegative),
        ]),
        idFormat: idFormat,
        checks: { r in Check.ordered(r, "/MinCapacity", "/MaxCapacity") })
}
