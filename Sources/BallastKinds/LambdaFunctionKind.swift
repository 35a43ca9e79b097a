import BallastCore

/// Lambda functions: memory, timeout and reserved concurrency, within Lambda's limits.
public struct LambdaFunctionKind: ResourceKind {
    public static let schema = ResourceSchema(
        type: "AWS::Lambda::Function",
        properties: ObjectSchema([
            ("MemorySize", .integer(128...10_240)),
            ("Timeout", .integer(1...900)),
            ("ReservedConcurrentExecutions", .nonNegative),
        ]))
}
