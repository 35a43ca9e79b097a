import BallastCore
import Foundation

/// HTTP API stages for the tests: moto reads them (`GetStage`, `GetStages`) but has no `UpdateStage`
/// (`PATCH /v2/apis/{apiId}/stages/{stageName}`), answered here as botocore's model (apigatewayv2
/// 2018-11-29) and the API reference describe it: the members sent replace the stage's (a settings
/// object whole; `routeSettings` route key by route key), the answer is the stage. moto keeps the
/// state: the stand-in reads the stage from moto, then makes it again there with the update.
/// API Gateway goes to the unauthenticated moto only (see `MotoServer.unauthenticated`).
public final class ApiGatewayV2StandIn: Sendable {
    let motoPort: Int

    init(motoPort: Int) {
        self.motoPort = motoPort
    }

    /// The answer to an UpdateStage; nil for any other request.
    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        let path = request.path.split(separator: "?").first.map(String.init) ?? ""
        let segments = path.split(separator: "/").map(String.init)
        guard request.method == "PATCH", segments.count == 5, segments[0] == "v2", segments[1] == "apis",
              segments[3] == "stages" else { return nil }
        guard case .map(let update)? = try? JSON.parse(request.body) else {
            return Self.error(400, "BadRequestException", "the body is not a JSON object")
        }
        let stagePath = "/v2/apis/\(segments[2])/stages/\(segments[4])"
        let (status, body) = moto("GET", stagePath)
        guard status == 200, case .map(var stage)? = try? JSON.parse(body) else {
            return Self.error(404, "NotFoundException", "Invalid stage identifier specified")
        }
        for (member, value) in update where member != "routeSettings" { stage[member] = value }
        if case .map(let routes)? = update["routeSettings"] {
            var merged = stage["routeSettings"]?.map ?? [:]
            for (key, settings) in routes { merged[key] = settings }
            stage["routeSettings"] = .map(merged)
        }
        for computed in ["createdDate", "lastUpdatedDate"] { stage[computed] = nil }
        _ = moto("DELETE", stagePath)
        let (created, answer) = moto("POST", "/v2/apis/\(segments[2])/stages", body: JSON.encode(.map(stage)))
        guard created == 200 || created == 201 else {
            return Self.error(500, "InternalServerErrorException", "the stand-in could not store the stage")
        }
        return .response(status: 200, headers: ["Content-Type": "application/json"], body: answer)
    }

    /// A request to moto, which checks no signature here.
    func moto(_ method: String, _ path: String, body: String = "") -> (Int, [UInt8]) {
        let raw = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(motoPort)\r\n"
            + "Authorization: AWS4-HMAC-SHA256 Credential=stand-in/20260101/us-east-1/apigateway/aws4_request, "
            + "SignedHeaders=host, Signature=0\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let request = LoopbackHTTPServer.Request(method: method, path: path, headers: [:], raw: Array(raw.utf8))
        guard let answer = LoopbackHTTPServer.forward(request, toPort: motoPort),
              let end = LoopbackHTTPServer.find(answer, Array("\r\n\r\n".utf8)) else { return (0, []) }
        let head = String(decoding: answer[..<end], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, Array(answer[(end + 4)...]))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> LoopbackHTTPServer.Reply {
        .response(status: status, headers: ["Content-Type": "application/json", "x-amzn-ErrorType": code],
                  body: Array(JSON.encode(["message": .string(message)]).utf8))
    }
}
