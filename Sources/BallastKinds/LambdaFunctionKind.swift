import BallastCore

/// Lambda functions: memory, timeout and reserved concurrency, within Lambda's limits.
public struct LambdaFunctionKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, guards: guards, plannedReads: plannedReads, changes: changes(for:))

    /// Reserved concurrency below the last hour's peak of concurrent executions throttles the invocations
    /// above it; reserving it where there was none caps a function that drew on the account's pool.
    static let guards = [
        LoadGuard("/ReservedConcurrentExecutions", namespace: "AWS/Lambda", metricName: "ConcurrentExecutions",
                  unsetIsUnlimited: true,
                  source: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html") { id in
            [(name: "FunctionName", value: String(id.split(separator: ":").last ?? Substring(id)))]
        },
    ]

    /// What else changes what it owns: reserved concurrency removed, or the function deleted. Watched for (`watch
    /// --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.lambda, "DeleteFunctionConcurrency"),
        APIOperation(.lambda, "DeleteFunction"),
    ]

    static let getFunction = APIOperation(.lambda, "GetFunction")
    static let putFunctionConcurrency = APIOperation(.lambda, "PutFunctionConcurrency")
    static let updateFunctionConfiguration = APIOperation(.lambda, "UpdateFunctionConfiguration")

    /// `aws_lambda_function`: reserved concurrency -1 is "unreserved", which CloudFormation leaves unset.
    static let terraform = TerraformMapping("aws_lambda_function", idAttribute: "function_name", [
        .init("/MemorySize", "memory_size"), .init("/Timeout", "timeout"),
        .init("/ReservedConcurrentExecutions", "reserved_concurrent_executions", convert: TerraformValue.unless(-1)),
    ])

    static let properties = ResourceSchema(
        type: "AWS::Lambda::Function",
        properties: ObjectSchema([
            ("MemorySize", .integer(128...10_240)),
            ("Timeout", .integer(1...900)),
            ("ReservedConcurrentExecutions", .nonNegative),
        ]))

    static let permissions = KindPermissions(
        read: [getFunction],
        write: [updateFunctionConfiguration, putFunctionConcurrency]) { id, region, account in
        "arn:aws:lambda:\(region):\(account):function:\(ARN.name(id, after: "function:"))"
    }

    /// One GetFunction per function: its `Configuration` holds memory and timeout, its `Concurrency`
    /// the reservation (absent when there is none). GetFunction has a quota of its own (Lambda
    /// quotas page: 100 requests per second), while GetFunctionConfiguration and
    /// GetFunctionConcurrency share the 15 per second of the rest of Lambda's control plane:
    /// one call at the higher quota instead of two at the lower.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["ResourceNotFoundException"]) { target in
            let function = try await client.restJSON(getFunction, method: "GET",
                                                     segments: ["2015-03-31", "functions", target.id])
            var live: [String: Value] = [:]
            live["MemorySize"] = function["Configuration"]?["MemorySize"]
            live["Timeout"] = function["Configuration"]?["Timeout"]
            // No reservation: no Concurrency, so the property is absent, not zero.
            live["ReservedConcurrentExecutions"] = function["Concurrency"]?["ReservedConcurrentExecutions"]
            return .found(live)
        }
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        targets.isEmpty ? [:] : [getFunction: targets.count]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        [ChangeBuilder.change(drift, updateFunctionConfiguration, prefixes: ["/MemorySize", "/Timeout"]),
         ChangeBuilder.change(drift, putFunctionConcurrency, prefixes: ["/ReservedConcurrentExecutions"])]
            .compactMap { $0 }
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        updateFunctionConfiguration: { change, client, _ in
            var body: [String: Value] = [:]
            body["MemorySize"] = change.to("/MemorySize")
            body["Timeout"] = change.to("/Timeout")
            _ = try await client.restJSON(updateFunctionConfiguration, method: "PUT",
                                          segments: ["2015-03-31", "functions", change.id, "configuration"],
                                          body: .map(body))
        },
        putFunctionConcurrency: { change, client, _ in
            let concurrency = change.to("/ReservedConcurrentExecutions") ?? .null
            _ = try await client.restJSON(putFunctionConcurrency, method: "PUT",
                                          segments: ["2017-10-31", "functions", change.id, "concurrency"],
                                          body: .map(["ReservedConcurrentExecutions": concurrency]))
        },
    ]
}
