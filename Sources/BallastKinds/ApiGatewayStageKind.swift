import BallastCore

/// REST API stages, identified as `RESTAPIID/STAGE`: their method settings (throttling, caching,
/// metrics, logging), each owned by `ResourcePath` + `HttpMethod` (`/*` + `*` for the whole stage),
/// with CloudFormation's names. UpdateStage takes JSON patch operations, one per setting.
public struct ApiGatewayStageKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, guards: guards, plannedReads: plannedReads, changes: changes(for:),
        normalize: normalized(_:for:))

    /// The stage's own rate (the `/*` `*` method setting) below the requests a second it served at the last
    /// hour's busiest minute answers the rest with 429; unset, only the account's limit applies. A REST API's
    /// metrics are named by the API's name, which the id does not hold: `GetRestApi` says it, once a cut
    /// needs it ("Amazon API Gateway dimensions for metrics": `ApiName`, `Stage`).
    static let guards = [
        LoadGuard("/MethodSettings", namespace: "AWS/ApiGateway", metricName: "Count", statistic: "Sum",
                  measure: .perSecond, unsetIsUnlimited: true,
                  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
                      + "api-gateway-metrics-and-dimensions.html",
                  capacity: stageRate,
                  lookups: [LoadGuard.Lookup(getRestApi, arn: { id, region, _ in
                      "arn:aws:apigateway:\(region)::/restapis/\(api(id))"
                  }) { id, client in
                      try await client.restJSON(getRestApi, method: "GET", segments: ["restapis", api(id)])
                  }],
                  metrics: { id, answers in
                      guard let name = answers.first?["name"]?.string, !name.isEmpty else {
                          throw AWSError(service: "apigateway", operation: "GetRestApi", code: "MalformedAnswer",
                                         message: "no name for the API \(api(id))", status: 200, requestId: nil)
                      }
                      return [[(name: "ApiName", value: String(name.prefix(255))), (name: "Stage", value: stage(id))]]
                  }) { _ in [] },
    ]

    /// The whole stage's `ThrottlingRateLimit`: the `/*` `*` entry's of a `MethodSettings` list.
    static func stageRate(_ settings: Value?) -> Double? {
        settings?.list?.first { $0["ResourcePath"] == "/*" && $0["HttpMethod"] == "*" }?["ThrottlingRateLimit"]?.number
    }

    /// What else changes what it owns: a stage deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.apiGateway, "DeleteStage", iamAction: "apigateway:DELETE"),
    ]

    /// IAM authorizes API Gateway's management API by HTTP method on the resource's path.
    static let getStages = APIOperation(.apiGateway, "GetStages", iamAction: "apigateway:GET")
    static let updateStage = APIOperation(.apiGateway, "UpdateStage", iamAction: "apigateway:PATCH")
    static let getRestApis = APIOperation(.apiGateway, "GetRestApis", iamAction: "apigateway:GET")
    static let getRestApi = APIOperation(.apiGateway, "GetRestApi", iamAction: "apigateway:GET")

    /// CloudFormation's `MethodSetting` fields ballast owns, with the patch path of each
    /// ("UpdateStage": `/{resource_path}/{http_method}/throttling/rateLimit`, ...) and GetStage's name.
    static let settings: [(name: String, patch: String, live: String, type: ValueType)] = [
        ("ThrottlingRateLimit", "throttling/rateLimit", "throttlingRateLimit", .number),
        ("ThrottlingBurstLimit", "throttling/burstLimit", "throttlingBurstLimit", .nonNegative),
        ("CachingEnabled", "caching/enabled", "cachingEnabled", .boolean),
        ("MetricsEnabled", "metrics/enabled", "metricsEnabled", .boolean),
        ("LoggingLevel", "logging/loglevel", "loggingLevel", .oneOf(["OFF", "ERROR", "INFO"])),
    ]

    /// "AWS::ApiGateway::Stage MethodSetting": "Forward slashes (/) are encoded as ~1 and the initial
    /// slash must include a forward slash"; `/*` with `*` applies to every method.
    static let resourcePath = StringFormat(
        "a resource path with its slashes after the first written ~1: /~1pets, /*"
    ) {
        $0.hasPrefix("/") && !$0.dropFirst().contains("/")
    }

    static let methodSetting = ValueType.object(ObjectSchema([
        ("ResourcePath", .string(resourcePath)),
        ("HttpMethod", .oneOf(["*", "ANY", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])),
    ] + settings.map { ($0.name, $0.type) }))

    static let entries = KeyedList(key: ["ResourcePath", "HttpMethod"])

    static let properties = ResourceSchema(
        type: "AWS::ApiGateway::Stage",
        properties: ObjectSchema([("MethodSettings", .list(methodSetting, maxCount: nil))]),
        idFormat: IdFormat.parts(2, "RESTAPIID/STAGE"),
        checks: { r in
            guard case .list(let list)? = r.exactValue(at: "/MethodSettings") else { return [] }
            return list.enumerated().compactMap { index, entry in
                entries.identity(of: entry) == nil
                    ? Diagnostic(r.location(of: "/MethodSettings"), "method setting \(index + 1) needs ResourcePath "
                                     + "and HttpMethod (/* and * for every method)")
                    : nil
            } + entries.duplicates(in: r, at: "/MethodSettings", what: "method setting")
        })

    static let permissions = KindPermissions(
        read: [getStages], write: [updateStage], anyId: "*/*",
        onParent: ([getStages], { id, region, _ in "arn:aws:apigateway:\(region)::/restapis/\(api(id))/stages" })) {
        id, region, _ in
        "arn:aws:apigateway:\(region)::/restapis/\(api(id))/stages/\(stage(id))"
    }

    static func api(_ id: String) -> String { IdFormat.part(id, 0) }
    static func stage(_ id: String) -> String { IdFormat.part(id, 1) }

    /// `aws_api_gateway_method_settings` is one entry of the list each: its `rest_api_id` and
    /// `stage_name` make the id; its settings are not mapped (import them from live).
    static let terraform = TerraformMapping("aws_api_gateway_method_settings", id: { attributes in
        guard let api = attributes["rest_api_id"]?.string, let stage = attributes["stage_name"]?.string else {
            return nil
        }
        return "\(api)/\(stage)"
    }, [])

    /// One GetStages per REST API: every stage of it in one answer.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let byAPI = Dictionary(grouping: targets) { api($0.id) }.values.map(Array.init)
        return await Reading.inGroups(byAPI, missing: ["NotFoundException"]) { group in
            let answer = try await client.restJSON(getStages, method: "GET",
                                                   segments: ["restapis", api(group[0].id), "stages"])
            var found: [String: [String: Value]] = [:]
            for item in answer["item"]?.list ?? [] {
                guard let name = item["stageName"]?.string else { continue }
                found[name] = ["MethodSettings": .list(methodSettings(item["methodSettings"]))]
            }
            return Reading.pair(group, found, key: stage)
        }
    }

    /// GetStage's `methodSettings` map (`~1pets/GET`, `*/*`) as CloudFormation's list.
    static func methodSettings(_ map: Value?) -> [Value] {
        guard case .map(let byKey)? = map else { return [] }
        return byKey.keys.sorted().compactMap { key in
            guard let slash = key.lastIndex(of: "/") else { return nil }
            let path = String(key[..<slash]), method = String(key[key.index(after: slash)...])
            // Keys come escaped (`~1pets`); a plain `pets/{id}` is escaped the same way.
            var entry: [String: Value] = [
                "ResourcePath": .string("/" + path.replacing("/", with: "~1")),
                "HttpMethod": .string(method),
            ]
            for setting in settings { entry[setting.name] = byKey[key]?[setting.live] }
            return .map(entry)
        }
    }

    /// Method settings the repository does not name are not drift, nor are fields it does not set.
    static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] {
        guard case .list(let desired)? = resource.exactValue(at: "/MethodSettings"),
              case .list(let entries)? = live["MethodSettings"] else { return live }
        var copy = live
        copy["MethodSettings"] = .list(Self.entries.owned(desired, live: entries))
        return copy
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        Reading.onePer(targets, { api($0.id) }, getStages)
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, updateStage)
    }

    /// One `replace` per setting each named entry sets (a setting of a method with no override yet
    /// creates the override); entries the repository does not name are not touched.
    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [updateStage: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let operations = (change.to("/MethodSettings")?.list ?? []).flatMap(patchOperations)
        guard !operations.isEmpty else { return }
        _ = try await client.restJSON(updateStage, method: "PATCH",
                                      segments: ["restapis", api(change.id), "stages", stage(change.id)],
                                      body: .map(["patchOperations": .list(operations)]))
    }

    /// UpdateStage's `replace` operations for one CloudFormation `MethodSetting`.
    public static func patchOperations(_ entry: Value) -> [Value] {
        guard let path = entry["ResourcePath"]?.string, let method = entry["HttpMethod"]?.string else { return [] }
        return settings.compactMap { setting in
            guard let value = entry[setting.name] else { return nil }
            return .map(["op": "replace", "path": .string("\(path)/\(method)/\(setting.patch)"),
                         "value": .string(text(value))])
        }
    }

    /// A patch operation's value is a string: `100`, `2.5`, `true`, `INFO`.
    static func text(_ value: Value) -> String {
        switch value {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .double(let d) where d == d.rounded() && abs(d) < 1e15: String(Int(d))
        default: value.description
        }
    }

    /// Every stage of every REST API, as ids, whose id starts with `prefix`: GetRestApis 500 a page
    /// (its `limit`'s largest), then GetStages per API.
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        var apis: [String] = []
        var query = [("limit", "500")]
        // At most as many pages as an account may hold APIs: 600 regional ones, 500 a page ("Quotas for
        // configuring and running a REST API in API Gateway": "Regional APIs per Region", 600).
        for _ in 0..<10 {
            let page = try await client.restJSON(getRestApis, method: "GET", segments: ["restapis"], query: query)
            apis += (page["item"]?.list ?? []).compactMap { $0["id"]?.string }
            guard let position = page["position"]?.string, !position.isEmpty else { break }
            query = [("limit", "500"), ("position", position)]
        }
        var ids: [String] = []
        for api in apis where api.hasPrefix(prefix) || prefix.hasPrefix(api) {
            let stages = try await client.restJSON(getStages, method: "GET", segments: ["restapis", api, "stages"])
            ids += (stages["item"]?.list ?? []).compactMap { $0["stageName"]?.string.map { "\(api)/\($0)" } }
                .filter { $0.hasPrefix(prefix) }
        }
        return ids
    }
}
