import BallastCore

/// ECS services, identified as `cluster/service`.
public struct ECSServiceKind: ResourceKind {
    public static let schema = ResourceSchema(
        type: "AWS::ECS::Service",
        properties: ObjectSchema([("DesiredCount", .nonNegative)]),
        idFormat: IdFormat.parts(2, "cluster/service"))
}
