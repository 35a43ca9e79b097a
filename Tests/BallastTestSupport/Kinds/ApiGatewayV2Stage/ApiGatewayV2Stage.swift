import BallastAWS
import BallastCore
import BallastKinds
import Foundation

/// `AWS::ApiGatewayV2::Stage` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let apiGatewayV2Stage = KindMaterial(
        type: "AWS::ApiGatewayV2::Stage",
        seed: { try await $0.apiGatewayV2Stage($1, $2) },
        apply: ApplyCase(
            id: { uniqueName("http") + "/prod" },
            live: [
                "DefaultRouteSettings": ["ThrottlingRateLimit": 1_000, "ThrottlingBurstLimit": 500],
                "RouteSettings": ["GET /pets": ["ThrottlingRateLimit": 10]],
            ],
            desired: "{DefaultRouteSettings: {ThrottlingRateLimit: 100}, RouteSettings: {'POST /orders': "
                + "{ThrottlingBurstLimit: 5}}, AccessLogSettings: "
                + "{DestinationArn: \"arn:aws:logs:us-east-1:123456789012:log-group:http-access\"}}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::ApiGatewayV2::Stage", "bench-http-\(i / 10)/v\(i % 10)",
                ["DefaultRouteSettings": ["ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 200]],
                "{DefaultRouteSettings: {ThrottlingRateLimit: \(d ? 50 : 100), ThrottlingBurstLimit: 200}}",
                drifted: d)
        })
}

extension LiveSeeder {
    /// A stage of an HTTP API: `API/STAGE` where API is an existing API's id or the name of a new
    /// one (API Gateway picks its id), with the properties' settings in GetStage's camel case.
    /// Returns `APIID/STAGE`.
    func apiGatewayV2Stage(_ id: String, _ p: [String: Value]) async throws -> String {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        let (first, stage) = (parts[0], parts.count > 1 ? parts[1] : "prod")
        let server = client.endpoints.endpoint(for: .apiGatewayV2, region: client.region).url
        let api = try await RestApis.shared.id("v2|" + server + "|" + first) { [client] in
            let existing = try? await client.restJSON(
                .apiGatewayV2, "GetApi", method: "GET",
                segments: ["v2", "apis", first])
            if existing != nil { return first }
            let created = try await client.restJSON(
                .apiGatewayV2, "CreateApi", method: "POST",
                segments: ["v2", "apis"],
                body: ["name": .string(first), "protocolType": "HTTP"])
            return created["apiId"]?.string ?? ""
        }
        var body: [String: Value] = ["stageName": .string(stage)]
        body["defaultRouteSettings"] = p["DefaultRouteSettings"].map(ApiGatewayV2StageKind.camelCased)
        if case .map(let routes)? = p["RouteSettings"] {
            body["routeSettings"] = .map(routes.mapValues(ApiGatewayV2StageKind.camelCased))
        }
        body["accessLogSettings"] = p["AccessLogSettings"].map(ApiGatewayV2StageKind.camelCased)
        try await tolerant {
            _ = try await client.restJSON(
                .apiGatewayV2, "CreateStage", method: "POST",
                segments: ["v2", "apis", api, "stages"], body: .map(body))
        }
        return "\(api)/\(stage)"
    }
}
