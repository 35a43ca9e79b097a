import BallastCore

/// Lambda aliases, identified as `FUNCTION:ALIAS`: their provisioned concurrency. Reserved
/// concurrency is the function's (`AWS::Lambda::Function`). AWS allocates provisioned
/// concurrency over minutes: until the configuration is `READY` the live value is what is
/// allocated so far, so an apply's read-back waits; a `FAILED` allocation is not read as a
/// value but reported with AWS's reason.
public struct LambdaAliasKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, guards: guards, plannedReads: plannedReads, changes: changes(for:))

    /// Provisioned concurrency below the alias's peak of concurrent executions sends the rest to on-demand
    /// instances, with their cold starts: the latency it was provisioned to avoid.
    static let guards = [
        LoadGuard("/ProvisionedConcurrencyConfig/ProvisionedConcurrentExecutions", namespace: "AWS/Lambda",
                  metricName: "ConcurrentExecutions",
                  source: "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html") { id in
            [(name: "FunctionName", value: function(id)), (name: "Resource", value: function(id) + ":" + alias(id))]
        },
    ]

    /// What else changes what it owns: provisioned concurrency removed, or the alias deleted. Watched for (`watch
    /// --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.lambda, "DeleteProvisionedConcurrencyConfig"),
        APIOperation(.lambda, "DeleteAlias"),
    ]

    static let getProvisionedConcurrencyConfig = APIOperation(.lambda, "GetProvisionedConcurrencyConfig")
    static let putProvisionedConcurrencyConfig = APIOperation(.lambda, "PutProvisionedConcurrencyConfig")
    static let listAliases = APIOperation(.lambda, "ListAliases")

    static let properties = ResourceSchema(
        type: "AWS::Lambda::Alias",
        properties: ObjectSchema([
            // botocore's Lambda model: `ProvisionedConcurrentExecutions` is a PositiveInteger, at least 1.
            ("ProvisionedConcurrencyConfig", .object(ObjectSchema([("ProvisionedConcurrentExecutions", .positive)]))),
        ]),
        idFormat: StringFormat("FUNCTION:ALIAS") { id in
            let parts = id.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { !$0.isEmpty }
        })

    static let permissions = KindPermissions(
        read: [getProvisionedConcurrencyConfig], write: [putProvisionedConcurrencyConfig], anyId: "*:*") {
        id, region, account in
        "arn:aws:lambda:\(region):\(account):function:\(function(id)):\(alias(id))"
    }

    static func function(_ id: String) -> String { IdFormat.part(id, 0, separator: ":") }
    static func alias(_ id: String) -> String { IdFormat.part(id, 1, separator: ":") }

    /// `aws_lambda_provisioned_concurrency_config`: `function_name` and `qualifier`.
    static let terraform = TerraformMapping("aws_lambda_provisioned_concurrency_config", id: { attributes in
        guard let function = attributes["function_name"]?.string, let alias = attributes["qualifier"]?.string else {
            return nil
        }
        return "\(function):\(alias)"
    }, [
        .init("/ProvisionedConcurrencyConfig/ProvisionedConcurrentExecutions", "provisioned_concurrent_executions"),
    ])

    /// One GetProvisionedConcurrencyConfig per alias. An alias without a configuration has no
    /// value (`ProvisionedConcurrencyConfigNotFoundException`); no alias is `missing`.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["ResourceNotFoundException"]) { target in
            let config: Value
            do {
                config = try await client.restJSON(getProvisionedConcurrencyConfig, method: "GET", segments: [
                    "2019-09-30", "functions", function(target.id), "provisioned-concurrency",
                ], query: [("Qualifier", alias(target.id))])
            } catch let error as AWSError where error.code == "ProvisionedConcurrencyConfigNotFoundException" {
                return .found([:])
            }
            switch config["Status"]?.string {
            case "FAILED":
                let reason = config["StatusReason"]?.string ?? "no reason given"
                return .failed("provisioned concurrency FAILED: " + reason)
            case "READY":
                return .found(live(config["RequestedProvisionedConcurrentExecutions"]))
            default: // IN_PROGRESS: what is allocated so far
                return .found(live(config["AllocatedProvisionedConcurrentExecutions"] ?? .int(0)))
            }
        }
    }

    static func live(_ executions: Value?) -> [String: Value] {
        executions.map { ["ProvisionedConcurrencyConfig": .map(["ProvisionedConcurrentExecutions": $0])] } ?? [:]
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        targets.isEmpty ? [:] : [getProvisionedConcurrencyConfig: targets.count]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, putProvisionedConcurrencyConfig)
    }

    /// PutProvisionedConcurrencyConfig; AWS answers at once with the configuration `IN_PROGRESS`,
    /// and the read-back waits for `READY`.
    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [putProvisionedConcurrencyConfig: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let path = "/ProvisionedConcurrencyConfig/ProvisionedConcurrentExecutions"
        guard let executions = change.to(path) else { return }
        let answer = try await client.restJSON(putProvisionedConcurrencyConfig, method: "PUT", segments: [
            "2019-09-30", "functions", function(change.id), "provisioned-concurrency",
        ], query: [("Qualifier", alias(change.id))], body: .map(["ProvisionedConcurrentExecutions": executions]))
        if answer["Status"]?.string == "FAILED" {
            throw WriteError(
                "provisioned concurrency FAILED: " + (answer["StatusReason"]?.string ?? "no reason given"))
        }
    }

    /// The aliases of one function (`--id 'FUNCTION:*'`): ListAliases, 10,000 a page at most (its
    /// `MaxItems`, `MaxListItems` in botocore's model); a pattern that names no function cannot be listed.
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        guard prefix.contains(":") else { return nil }
        let function = IdFormat.part(prefix, 0, separator: ":")
        var aliases: [String] = []
        var query = [("MaxItems", "10000")]
        for _ in 0..<100 {
            let page = try await client.restJSON(listAliases, method: "GET", segments: [
                "2015-03-31", "functions", function, "aliases",
            ], query: query)
            aliases += (page["Aliases"]?.list ?? []).compactMap { $0["Name"]?.string }
            guard let marker = page["NextMarker"]?.string, !marker.isEmpty else { break }
            query = [("MaxItems", "10000"), ("Marker", marker)]
        }
        return aliases.map { "\(function):\($0)" }.filter { $0.hasPrefix(prefix) }
    }
}
