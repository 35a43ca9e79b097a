import BallastCore

/// EC2 Auto Scaling groups: the capacity runbooks change most during incidents.
public struct AutoScalingGroupKind: ResourceKind {
    public static let schema = ResourceSchema(
        type: "AWS::AutoScaling::AutoScalingGroup",
        properties: ObjectSchema([
            ("MinSize", .nonNegative),
            ("MaxSize", .nonNegative),
            ("DesiredCapacity", .nonNegative),
        ]),
        checks: { r in
            Check.ordered(r, "/MinSize", "/MaxSize")
                + Check.between(r, "/DesiredCapacity", "/MinSize", "/MaxSize")
        })
}
