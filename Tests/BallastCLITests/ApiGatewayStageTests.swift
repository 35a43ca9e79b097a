import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `AWS::ApiGateway::Stage` against moto: method settings owned by path and method, every stage of
/// an API read in one call, and a write that touches only the settings the repository names.
@Suite struct ApiGatewayStageTests {
    static let live: [String: Value] = ["MethodSettings": [
        ["ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 1_000, "ThrottlingBurstLimit": 2_000],
        ["ResourcePath": "/~1pets", "HttpMethod": "GET", "CachingEnabled": true, "LoggingLevel": "INFO"],
    ]]

    /// The live method settings of a stage as GetStage answers them, by key.
    static func settings(of id: String) async throws -> Value? {
        let parts = id.split(separator: "/").map(String.init)
        let stage = try await seeder().client.restJSON(.apiGateway, "GetStage", method: "GET",
                                                       segments: ["restapis", parts[0], "stages", parts[1]])
        return stage["methodSettings"]
    }

    /// Settings the repository does not name are not drift; an entry live lacks is REMOVE; a stage
    /// or an API that is not there is DELETED; two stages of one API cost one call.
    @Test func driftComparesOwnedSettingsByPathAndMethod() async throws {
        let api = uniqueName("api")
        let sync = try await seeder().create("AWS::ApiGateway::Stage", id: api + "/prod", Self.live)
        let drifted = try await seeder().create("AWS::ApiGateway::Stage", id: api + "/test", Self.live)
        let apiId = String(sync.split(separator: "/")[0])
        // API Gateway's requests go to the unauthenticated moto (see `MotoServer.unauthenticated`).
        let stageReads = Locked(0)
        let counter = try LoopbackHTTPServer { request in
            if request.path.contains("/stages") { stageReads.update { $0 += 1 } }
            let answer = LoopbackHTTPServer.forward(request, toPort: MotoServer.unauthenticated.port)
            return answer.map { .raw($0) } ?? .drop
        }
        let drift = try DriftRun.run("""
              - {type: AWS::ApiGateway::Stage, id: "\(sync)",
                 properties: {MethodSettings: [{ResourcePath: /~1pets, HttpMethod: GET, CachingEnabled: true},
                                               {ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 1000}]}}
              - {type: AWS::ApiGateway::Stage, id: "\(drifted)",
                 properties: {MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingBurstLimit: 100},
                                               {ResourcePath: /~1orders, HttpMethod: POST, MetricsEnabled: true}]}}
              - {type: AWS::ApiGateway::Stage, id: "\(apiId)/gone", properties: {MethodSettings: []}}
              - {type: AWS::ApiGateway::Stage, id: "nosuchapi0/prod", properties: {MethodSettings: []}}
            """, variables: ["AWS_ENDPOINT_URL_API_GATEWAY": counter.url])
        // One GetStages for the three stages of the API, one for the API that is not there.
        #expect(stageReads.current == 2)
        #expect(drift.status == 2, "\(drift.report)\(drift.stderr)")
        #expect(drift.status(of: sync) == "IN_SYNC", "\(drift.differences(of: sync))")
        #expect(drift.differences(of: drifted) == [
            difference("/MethodSettings/0/ThrottlingBurstLimit", 100, 2_000),
            difference("/MethodSettings/1/HttpMethod", "POST", nil, "REMOVE"),
            difference("/MethodSettings/1/MetricsEnabled", true, nil, "REMOVE"),
            difference("/MethodSettings/1/ResourcePath", "/~1orders", nil, "REMOVE"),
        ])
        #expect(drift.status(of: "\(apiId)/gone") == "DELETED")
        #expect(drift.status(of: "nosuchapi0/prod") == "DELETED")
    }

    /// Apply sets the named settings, creates the override a method lacked, and leaves the rest:
    /// the other entry and the fields of the named one the repository does not set.
    @Test func applyTouchesOnlyNamedSettings() async throws {
        let id = try await seeder().create("AWS::ApiGateway::Stage", id: uniqueName("api") + "/prod", Self.live)
        let repo = try TempRepository.desiredState("""
              - {type: AWS::ApiGateway::Stage, id: "\(id)",
                 properties: {MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 50},
                                               {ResourcePath: /~1orders, HttpMethod: POST, MetricsEnabled: true}]}}

            """)
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let settings = try await Self.settings(of: id)
        #expect(settings?["*/*"]?["throttlingRateLimit"] == 50)
        #expect(settings?["*/*"]?["throttlingBurstLimit"] == 2_000)
        #expect(settings?["~1orders/POST"]?["metricsEnabled"] == true)
        #expect(settings?["~1pets/GET"]?["cachingEnabled"] == true)
        #expect(settings?["~1pets/GET"]?["loggingLevel"] == "INFO")
    }

    /// An HTTP API stage: route keys the repository does not name are not drift and are kept by a
    /// write, as are the default route's fields it does not set.
    @Test func anHTTPAPIStageKeepsWhatItDoesNotOwn() async throws {
        let live: [String: Value] = [
            "DefaultRouteSettings": ["ThrottlingRateLimit": 1_000, "ThrottlingBurstLimit": 500],
            "RouteSettings": ["GET /pets": ["ThrottlingRateLimit": 10], "GET /orders": ["ThrottlingRateLimit": 20]],
        ]
        let id = try await seeder().create("AWS::ApiGatewayV2::Stage", id: uniqueName("http") + "/prod", live)
        let drift = try DriftRun.run("""
              - {type: AWS::ApiGatewayV2::Stage, id: "\(id)",
                 properties: {DefaultRouteSettings: {ThrottlingRateLimit: 100},
                              RouteSettings: {'GET /pets': {ThrottlingRateLimit: 10}}}}
            """)
        #expect(drift.differences(of: id) == [difference("/DefaultRouteSettings/ThrottlingRateLimit", 100, 1_000)])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::ApiGatewayV2::Stage, id: "\(id)",
                 properties: {DefaultRouteSettings: {ThrottlingRateLimit: 100},
                              RouteSettings: {'GET /pets': {ThrottlingBurstLimit: 3}}}}

            """)
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let parts = id.split(separator: "/").map(String.init)
        let stage = try await seeder().client.restJSON(.apiGatewayV2, "GetStage", method: "GET",
                                                       segments: ["v2", "apis", parts[0], "stages", parts[1]])
        #expect(stage["defaultRouteSettings"]?["throttlingRateLimit"] == 100)
        #expect(stage["defaultRouteSettings"]?["throttlingBurstLimit"] == 500)
        #expect(stage["routeSettings"]?["GET /pets"] == ["throttlingRateLimit": 10, "throttlingBurstLimit": 3])
        #expect(stage["routeSettings"]?["GET /orders"] == ["throttlingRateLimit": 20])
    }

    /// A route key holds slashes: as a JSON Pointer (RFC 6901) it is one segment, `GET ~1pets~1{id}`, in
    /// the JSON report and `--output cfn`; text, markdown and SARIF quote it whole.
    @Test func aRouteKeyIsOneSegmentOfEveryPath() async throws {
        let live: [String: Value] = ["RouteSettings": ["GET /pets/{id}": ["ThrottlingRateLimit": 10]]]
        let id = try await seeder().create("AWS::ApiGatewayV2::Stage", id: uniqueName("http") + "/prod", live)
        let resources = """
              - {type: AWS::ApiGatewayV2::Stage, id: "\(id)",
                 properties: {RouteSettings: {'GET /pets/{id}': {ThrottlingRateLimit: 20}}}}
            """
        let drift = try DriftRun.run(resources)
        #expect(
            drift.differences(of: id) == [difference("/RouteSettings/GET ~1pets~1{id}/ThrottlingRateLimit", 20, 10)])
        let repo = try TempRepository.desiredState(resources + "\n")
        let cfn = try repo.ballast(["drift", "--output", "cfn"])
        #expect(cfn.stdout.contains("/RouteSettings/GET ~1pets~1{id}/ThrottlingRateLimit"), "\(cfn.stdout)")
        #expect(!cfn.stdout.contains("GET /pets/{id}/Throttling"), "\(cfn.stdout)")
        for format in ["text", "markdown", "sarif"] {
            let out = try repo.ballast(["drift", "--output", format]).stdout
            #expect(out.contains(#"RouteSettings[\"GET /pets/{id}\"].ThrottlingRateLimit"#)
                || out.contains(#"RouteSettings["GET /pets/{id}"].ThrottlingRateLimit"#), "\(format): \(out)")
        }
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try DriftRun.run(resources).status(of: id) == "IN_SYNC")
    }
}
