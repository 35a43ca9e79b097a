import BallastAWS
import BallastCore

/// Lambda functions: memory, timeout and reserved concurrency, within Lambda's limits.
public struct LambdaFunctionKind: ResourceKind {
    /// `aws_lambda_function`: reserved concurrency -1 is "unreserved", which CloudFormation leaves unset.
    public static let terraform = TerraformMapping("aws_lambda_function", idAttribute: "function_name", [
        .init("/MemorySize", "memory_size"), .init("/Timeout", "timeout"),
        .init("/ReservedConcurrentExecutions", "reserved_concurrent_executions", convert: TerraformValue.unless(-1)),
    ])

    public static let schema = ResourceSchema(
        type: "AWS::Lambda::Function",
        properties: ObjectSchema([
            ("MemorySize", .integer(128...10_240)),
            ("Timeout", .integer(1...900)),
            ("ReservedConcurrentExecutions", .nonNegative),
        ]))

    public static let permissions = KindPermissions(
        read: ["lambda:GetFunctionConfiguration", "lambda:GetFunctionConcurrency"],
        write: ["lambda:UpdateFunctionConfiguration", "lambda:PutFunctionConcurrency"]) { id, region, account in
        "arn:aws:lambda:\(region):\(account):function:\(ARN.name(id, after: "function:"))"
    }

    /// One function at a time: GetFunctionConfiguration for memory and timeout,
    /// GetFunctionConcurrency only when reserved concurrency is declared.
    public static func read(_ targets: [LiveTarget], with client: AWSClient) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["ResourceNotFoundException"]) { target in
            var live: [String: Value] = [:]
            if target.wants("MemorySize", "Timeout") {
                let configuration = try await client.restJSON(.lambda, "GetFunctionConfiguration", method: "GET",
                                                              segments: ["2015-03-31", "functions", target.id, "configuration"])
                live["MemorySize"] = configuration["MemorySize"]
                live["Timeout"] = configuration["Timeout"]
            }
            if target.wants("ReservedConcurrentExecutions") {
                // No reservation is an empty answer: the property is absent, not zero.
                let concurrency = try await client.restJSON(.lambda, "GetFunctionConcurrency", method: "GET",
                                                            segments: ["2019-09-30", "functions", target.id, "concurrency"])
                live["ReservedConcurrentExecutions"] = concurrency["ReservedConcurrentExecutions"]
            }
            return .found(live)
        }
    }

    /// Memory and timeout in one UpdateFunctionConfiguration; reserved concurrency has its own call.
    public static func plannedReads(_ targets: [LiveTarget]) -> [String: Int] {
        [
            "GetFunctionConfiguration": targets.filter { $0.wants("MemorySize", "Timeout") }.count,
            "GetFunctionConcurrency": targets.filter { $0.wants("ReservedConcurrentExecutions") }.count,
        ].filter { $0.value > 0 }
    }

    public static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        [ChangeBuilder.change(drift, call: "lambda:UpdateFunctionConfiguration", prefixes: ["/MemorySize", "/Timeout"]),
         ChangeBuilder.change(drift, call: "lambda:PutFunctionConcurrency", prefixes: ["/ReservedConcurrentExecutions"])]
            .compactMap { $0 }
    }

    public static func apply(_ change: PlannedChange, with client: AWSClient) async throws {
        switch change.call {
        case "lambda:UpdateFunctionConfiguration":
            var body: [String: Value] = [:]
            body["MemorySize"] = change.to("/MemorySize")
            body["Timeout"] = change.to("/Timeout")
            _ = try await client.restJSON(.lambda, "UpdateFunctionConfiguration", method: "PUT",
                                          segments: ["2015-03-31", "functions", change.id, "configuration"], body: .map(body))
        case "lambda:PutFunctionConcurrency":
            _ = try await client.restJSON(.lambda, "PutFunctionConcurrency", method: "PUT",
                                          segments: ["2017-10-31", "functions", change.id, "concurrency"],
                                          body: .map(["ReservedConcurrentExecutions": change.to("/ReservedConcurrentExecutions") ?? .null]))
        default: throw UnsupportedWrite(call: change.call)
        }
    }
}
