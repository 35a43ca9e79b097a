import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// moto cannot authenticate Lambda and API Gateway (it refuses correct signatures, boto3's
/// too), and Secrets Manager shares that server: for them, every request ballast signs is
/// signed again by botocore from the same inputs, and the signatures must be equal.
@Suite struct SigningParityTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Contracts/resign.py").path

    @Test func lambdaAndSecretsManagerSignaturesAreBotocores() async throws {
        let function = uniqueName("signed"), secret = "ballast/" + uniqueName("signed")
        let rotator = "arn:aws:lambda:us-east-1:123456789012:function:" + uniqueName("rotator")
        try await seeder().create("AWS::Lambda::Function", id: function, ["MemorySize": 128, "Timeout": 3])
        try await seeder().create("AWS::SecretsManager::RotationSchedule", id: secret,
            ["RotationLambdaARN": .string(rotator), "RotationRules": ["AutomaticallyAfterDays": 90]])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Lambda::Function, id: \(function), properties: {MemorySize: 256, ReservedConcurrentExecutions: 2}}
              - {type: AWS::SecretsManager::RotationSchedule, id: "\(secret)", properties: {RotationLambdaARN: "\(rotator)", RotationRules: {AutomaticallyAfterDays: 30}}}
            """ + "\n")
        let recorder = try RequestRecorder()
        let apply = try Run.ballast(
            ["apply", "--auto-approve", "--repo", repo.path], environment: recorder.environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let key = MotoServer.shared.credentials  // ballast signs every service with the test user's key
        let result = try recorder.run(Self.script, [key.id, key.secret, "lambda,secretsmanager"])
        let lines = result.stdout.split(separator: "\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(lines.count >= 6 && lines.allSatisfy { $0.hasPrefix("ok ") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("ok lambda PUT /2015-03-31/functions/\(function)/configuration") })
        #expect(lines.contains { $0.contains("ok secretsmanager POST /") })
        // The comparison can fail: another secret gives other signatures.
        let wrong = try recorder.run(Self.script, [key.id, "not-the-secret", "lambda,secretsmanager"])
        #expect(wrong.status == 1 && wrong.stdout.contains("MISMATCH lambda"))
    }

    /// API Gateway's GetStages (a GET moto refuses whoever signs it) and UpdateStage (a PATCH), of
    /// both its APIs.
    @Test func apiGatewaySignaturesAreBotocores() async throws {
        let id = try await seeder().create("AWS::ApiGateway::Stage", id: uniqueName("signed") + "/prod", [:])
        let http = try await seeder().create("AWS::ApiGatewayV2::Stage", id: uniqueName("signed") + "/prod", [:])
        let repo = try TempRepository.desiredState("  - {type: AWS::ApiGateway::Stage, id: \"\(id)\", "
            + "properties: {MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 25}]}}\n"
            + "  - {type: AWS::ApiGatewayV2::Stage, id: \"\(http)\", "
            + "properties: {DefaultRouteSettings: {ThrottlingRateLimit: 25}}}\n")
        let recorder = try RequestRecorder()
        let apply = try Run.ballast(
            ["apply", "--auto-approve", "--repo", repo.path], environment: recorder.environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let key = MotoServer.shared.credentials
        let result = try recorder.run(Self.script, [key.id, key.secret, "apigateway"])
        let lines = result.stdout.split(separator: "\n")
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("ok ") }, "\(result.stdout)")
        let stages = "/restapis/\(id.split(separator: "/")[0])/stages"
        #expect(lines.contains { $0.hasPrefix("ok apigateway GET \(stages)") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("ok apigateway PATCH \(stages)/prod") }, "\(result.stdout)")
        let httpStages = "/v2/apis/\(http.split(separator: "/")[0])/stages"
        #expect(lines.contains { $0.hasPrefix("ok apigateway PATCH \(httpStages)/prod") }, "\(result.stdout)")
    }
}
