import BallastAWS
import BallastCore
import BallastKinds
import Foundation

/// `AWS::ApiGateway::Stage` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let apiGatewayStage = KindMaterial(
        type: "AWS::ApiGateway::Stage",
        seed: { try await $0.apiGatewayStage($1, $2) },
        // The seeder makes the REST API; AWS picks its id: the case runs on `RESTAPIID/prod`.
        apply: ApplyCase(
            id: { uniqueName("api") + "/prod" },
            live: [
                "MethodSettings": [
                    [
                        "ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 1_000,
                        "ThrottlingBurstLimit": 2_000, "MetricsEnabled": false,
                    ]
                ]
            ],
            desired: "{MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 100, "
                + "ThrottlingBurstLimit: 50, MetricsEnabled: true}, "
                + "{ResourcePath: /~1pets, HttpMethod: GET, CachingEnabled: false, LoggingLevel: ERROR}]}"),
        // Ten stages of an API each: the id's first part names the API the seeder creates (or reuses).
        scale: { i, d in
            ScaleFixture.item(
                "AWS::ApiGateway::Stage", "bench-api-\(i / 10)/v\(i % 10)",
                [
                    "MethodSettings": [
                        [
                            "ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 100,
                            "ThrottlingBurstLimit": 200,
                        ]
                    ]
                ],
                "{MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: \(d ? 50 : 100), "
                    + "ThrottlingBurstLimit: 200}]}", drifted: d)
        })
}

extension LiveSeeder {
    /// A stage of a REST API: `API/STAGE` where API is an existing API's id, or the name of a new API
    /// to create (API Gateway picks its id). Its method settings set through UpdateStage, as
    /// ballast writes them. Returns `RESTAPIID/STAGE`.
    func apiGatewayStage(_ id: String, _ p: [String: Value]) async throws -> String {
        let parts = id.split(separator: "/", maxSplits: 1).map(String.init)
        let (first, stage) = (parts[0], parts.count > 1 ? parts[1] : "prod")
        // One API per name and server, however many of its stages are seeded at once.
        let server = client.endpoints.endpoint(for: .apiGateway, region: client.region).url
        let api = try await RestApis.shared.id(server + "|" + first) { [client] in
            let existing = try? await client.restJSON(
                .apiGateway, "GetRestApi", method: "GET",
                segments: ["restapis", first])
            if existing != nil { return first }
            let created = try await client.restJSON(
                .apiGateway, "CreateRestApi", method: "POST",
                segments: ["restapis"], body: ["name": .string(first)])
            return created["id"]?.string ?? ""
        }
        try await tolerant {
            _ = try await client.restJSON(
                .apiGateway, "CreateStage", method: "POST",
                segments: ["restapis", api, "stages"],
                body: ["stageName": .string(stage), "deploymentId": "seeded"])
        }
        let operations = (p["MethodSettings"]?.list ?? []).flatMap(ApiGatewayStageKind.patchOperations)
        if !operations.isEmpty {
            _ = try await client.restJSON(
                .apiGateway, "UpdateStage", method: "PATCH",
                segments: ["restapis", api, "stages", stage],
                body: ["patchOperations": .list(operations)])
        }
        return "\(api)/\(stage)"
    }
}

/// Each REST API the seeder names is made once: its id, by server and name.
actor RestApis {
    static let shared = RestApis()
    private var made: [String: Task<String, any Error>] = [:]

    func id(_ key: String, _ make: @escaping @Sendable () async throws -> String) async throws -> String {
        if let task = made[key] { return try await task.value }
        let task = Task { try await make() }
        made[key] = task
        return try await task.value
    }
}
