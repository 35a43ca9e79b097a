import BallastCore

/// HTTP API stages, identified as `APIID/STAGE`: the default route's throttling, throttling per
/// route key, and where access logs go. UpdateStage takes the settings objects whole, so a write
/// sends each owned object as it is live with the owned fields changed.
public struct ApiGatewayV2StageKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, guards: guards, plannedReads: plannedReads, changes: changes(for:),
        normalize: normalized(_:for:))

    /// A default route rate below the requests a second the stage served at the last hour's busiest minute
    /// (its `Count` summed over the minute, over 60) answers the rest with 429; unset, only the account's
    /// limit applies, so setting one is a cut.
    static let guards = [
        LoadGuard("/DefaultRouteSettings/ThrottlingRateLimit", namespace: "AWS/ApiGateway", metricName: "Count",
                  statistic: "Sum", measure: .perSecond, unsetIsUnlimited: true,
                  source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html") { id in
            [(name: "ApiId", value: api(id)), (name: "Stage", value: stage(id))]
        },
    ]

    /// What else changes what it owns: a stage deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.apiGatewayV2, "DeleteStage", iamAction: "apigateway:DELETE"),
    ]

    /// IAM authorizes API Gateway's management API by HTTP method on the resource's path.
    static let getStages = APIOperation(.apiGatewayV2, "GetStages", iamAction: "apigateway:GET")
    static let updateStage = APIOperation(.apiGatewayV2, "UpdateStage", iamAction: "apigateway:PATCH")
    static let getApis = APIOperation(.apiGatewayV2, "GetApis", iamAction: "apigateway:GET")

    static let throttling = ObjectSchema([("ThrottlingRateLimit", .number), ("ThrottlingBurstLimit", .nonNegative)])

    static let properties = ResourceSchema(
        type: "AWS::ApiGatewayV2::Stage",
        properties: ObjectSchema([
            ("DefaultRouteSettings", .object(throttling)),
            // By route key (`GET /pets`, `$default`), as CloudFormation's JSON object.
            ("RouteSettings", .map(.object(throttling))),
            ("AccessLogSettings", .object(ObjectSchema([
                ("DestinationArn", .string(StringFormat("a CloudWatch Logs log group ARN") {
                    $0.hasPrefix("arn:") && $0.contains(":logs:")
                })),
            ]))),
        ]),
        idFormat: IdFormat.parts(2, "APIID/STAGE"))

    static let permissions = KindPermissions(
        read: [getStages], write: [updateStage], anyId: "*/*",
        onParent: ([getStages], { id, region, _ in "arn:aws:apigateway:\(region)::/apis/\(api(id))/stages" })) {
        id, region, _ in
        "arn:aws:apigateway:\(region)::/apis/\(api(id))/stages/\(stage(id))"
    }

    static func api(_ id: String) -> String { IdFormat.part(id, 0) }
    static func stage(_ id: String) -> String { IdFormat.part(id, 1) }

    /// `aws_apigatewayv2_stage`: `api_id` and `name`; the default route's throttling and the
    /// access log destination.
    static let terraform = TerraformMapping("aws_apigatewayv2_stage", id: { attributes in
        guard let api = attributes["api_id"]?.string, let name = attributes["name"]?.string else { return nil }
        return "\(api)/\(name)"
    }, [
        .init("/DefaultRouteSettings/ThrottlingRateLimit", "default_route_settings.0.throttling_rate_limit"),
        .init("/DefaultRouteSettings/ThrottlingBurstLimit", "default_route_settings.0.throttling_burst_limit"),
        .init("/AccessLogSettings/DestinationArn", "access_log_settings.0.destination_arn"),
    ])

    /// One GetStages per HTTP API: its stages in one answer ("Quotas for configuring and running an
    /// HTTP API in API Gateway": 10 stages per API, raisable), paged by `nextToken` should there be more.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let byAPI = Dictionary(grouping: targets) { api($0.id) }.values.map(Array.init)
        return await Reading.inGroups(byAPI, missing: ["NotFoundException"]) { group in
            try await Reading.listed(group, name: { stage($0.id) }) { token in
                var query: [(String, String)] = []
                if let token { query.append(("nextToken", token)) }
                let page = try await client.restJSON(
                    getStages, method: "GET",
                    segments: ["v2", "apis", api(group[0].id), "stages"], query: query)
                let members = (page["items"]?.list ?? []).compactMap { item -> (String, LiveRead)? in
                    item["stageName"]?.string.map { ($0, .found(live(item))) }
                }
                return (members, page["nextToken"]?.string)
            }
        }
    }

    /// GetStage's camel-case fields under CloudFormation's names.
    static func live(_ stage: Value) -> [String: Value] {
        var live: [String: Value] = [:]
        if let settings = stage["defaultRouteSettings"] { live["DefaultRouteSettings"] = capitalized(settings) }
        if case .map(let routes)? = stage["routeSettings"] {
            live["RouteSettings"] = .map(routes.mapValues(capitalized))
        }
        if let logs = stage["accessLogSettings"] { live["AccessLogSettings"] = capitalized(logs) }
        return live
    }

    static func capitalized(_ value: Value) -> Value {
        guard case .map(let fields) = value else { return value }
        return .map(Dictionary(fields.map { ($0.key.prefix(1).uppercased() + $0.key.dropFirst(), $0.value) },
                               uniquingKeysWith: { a, _ in a }))
    }

    /// CloudFormation's names as the API's (`ThrottlingRateLimit` -> `throttlingRateLimit`).
    public static func camelCased(_ value: Value) -> Value {
        guard case .map(let fields) = value else { return value }
        return .map(Dictionary(fields.map { ($0.key.prefix(1).lowercased() + $0.key.dropFirst(), $0.value) },
                               uniquingKeysWith: { a, _ in a }))
    }

    static let objects = KeyedList(key: [])

    /// Route keys and fields the repository does not name are not drift.
    static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] {
        guard let desired = resource.exactValue(at: "/RouteSettings"), let routes = live["RouteSettings"] else {
            return live
        }
        var copy = live
        copy["RouteSettings"] = objects.cut(routes, to: desired)
        return copy
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        Reading.onePer(targets, { api($0.id) }, getStages)
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, updateStage)
    }

    /// One UpdateStage: each owned settings object as it is live with the owned fields written in
    /// (a route key with no settings yet gets them).
    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [updateStage: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let segments = ["v2", "apis", api(change.id), "stages", stage(change.id)]
        let answer = try await client.restJSON(getStages, method: "GET", segments: Array(segments.dropLast()))
        guard let current = (answer["items"]?.list ?? []).first(where: { $0["stageName"]?.string == stage(change.id) })
        else { throw WriteError("stage \(change.id) is gone") }
        let live = live(current)
        var body: [String: Value] = [:]
        var defaults = live["DefaultRouteSettings"] ?? .map([:])
        for field in ["ThrottlingRateLimit", "ThrottlingBurstLimit"] {
            if let value = change.to("/DefaultRouteSettings/" + field) {
                defaults = objects.merge(.map([field: value]), into: defaults)
            }
        }
        if defaults != (live["DefaultRouteSettings"] ?? .map([:])) {
            body["defaultRouteSettings"] = camelCased(defaults)
        }
        if case .map(let routes)? = change.to("/RouteSettings") {
            body["routeSettings"] = .map(Dictionary(uniqueKeysWithValues: routes.map { key, settings in
                (key, camelCased(objects.merge(settings, into: live["RouteSettings"]?[key] ?? .map([:]))))
            }))
        }
        if let destination = change.to("/AccessLogSettings/DestinationArn") {
            body["accessLogSettings"] = camelCased(objects.merge(.map(["DestinationArn": destination]),
                                                               into: live["AccessLogSettings"] ?? .map([:])))
        }
        guard !body.isEmpty else { return }
        _ = try await client.restJSON(updateStage, method: "PATCH", segments: segments, body: .map(body))
    }

    /// The stages of every HTTP API whose id could start `prefix`: GetApis, then GetStages per API.
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        let apis = try await pages(getApis, ["v2", "apis"], client).compactMap { $0["apiId"]?.string }
        var ids: [String] = []
        for api in apis where api.hasPrefix(prefix) || prefix.hasPrefix(api) {
            ids += try await pages(getStages, ["v2", "apis", api, "stages"], client)
                .compactMap { $0["stageName"]?.string }.map { "\(api)/\($0)" }.filter { $0.hasPrefix(prefix) }
        }
        return ids
    }

    /// Every item of a listing paged by `nextToken`, at most 100 pages.
    static func pages(_ operation: APIOperation, _ segments: [String], _ client: any AWSAPI) async throws -> [Value] {
        var items: [Value] = []
        var query: [(String, String)] = []
        for _ in 0..<100 {
            let page = try await client.restJSON(operation, method: "GET", segments: segments, query: query)
            items += page["items"]?.list ?? []
            guard let token = page["nextToken"]?.string, !token.isEmpty else { break }
            query = [("nextToken", token)]
        }
        return items
    }
}
