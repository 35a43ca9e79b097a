import BallastAWS
import BallastCore
import Foundation

/// `AWS::SecretsManager::RotationSchedule` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    /// The rotation function the apply case's secret names (the seeder makes it).
    static let rotator = "arn:aws:lambda:us-east-1:123456789012:function:" + uniqueName("rotator")

    static let rotationSchedule = KindMaterial(
        type: "AWS::SecretsManager::RotationSchedule",
        seed: {
            try await $0.rotationSchedule($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { "ballast/" + uniqueName("secret") },
            live: [
                "RotationLambdaARN": .string(KindMaterial.rotator), "RotationRules": ["AutomaticallyAfterDays": 90],
            ],
            desired: "{RotationLambdaARN: \"\(KindMaterial.rotator)\", RotationRules: {AutomaticallyAfterDays: 30}}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::SecretsManager::RotationSchedule", "bench/secret-\(i)",
                [
                    "RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:bench-rotator",
                    "RotationRules": ["AutomaticallyAfterDays": 30],
                ],
                "{RotationRules: {AutomaticallyAfterDays: \(d ? 7 : 30)}}", drifted: d)
        })
}

extension LiveSeeder {
    func rotationSchedule(_ name: String, _ p: [String: Value]) async throws {
        try await tolerant {
            _ = try await client.json(
                .secretsManager, "CreateSecret", .map(["Name": .string(name), "SecretString": "seed"]))
        }
        // moto invokes the rotation function, so it must exist (also for a later apply).
        if let lambda = p["RotationLambdaARN"]?.string {
            try await ensureFunction(String(lambda.split(separator: ":").last!))
        }
        guard let rules = p["RotationRules"] else { return }
        var rotate: [String: Value] = ["SecretId": .string(name), "RotationRules": rules]
        rotate["RotationLambdaARN"] = p["RotationLambdaARN"]
        _ = try await client.json(.secretsManager, "RotateSecret", .map(rotate))
        try await finishRotation(name)
    }
}

extension LiveSeeder {
    /// What a rotation's last step does and moto, which runs no function, does not: the version the
    /// rotation made becomes `AWSCURRENT` and loses `AWSPENDING`. Without it the secret looks as a failed
    /// rotation leaves it: a version labelled `AWSPENDING` alone.
    public func finishRotation(_ secret: String) async throws {
        let described = try await client.json(.secretsManager, "DescribeSecret", .map(["SecretId": .string(secret)]))
        guard case .map(let versions)? = described["VersionIdsToStages"] else { return }
        let labels = versions.mapValues { $0.list?.compactMap(\.string) ?? [] }
        let alone = labels.first { $0.value.contains("AWSPENDING") && !$0.value.contains("AWSCURRENT") }
        guard let pending = alone?.key else { return }
        var input: [String: Value] = ["SecretId": .string(secret), "VersionStage": "AWSCURRENT",
                                      "MoveToVersionId": .string(pending)]
        if let current = labels.first(where: { $0.value.contains("AWSCURRENT") })?.key {
            input["RemoveFromVersionId"] = .string(current)
        }
        _ = try await client.json(.secretsManager, "UpdateSecretVersionStage", .map(input))
        _ = try await client.json(.secretsManager, "UpdateSecretVersionStage", .map([
            "SecretId": .string(secret), "VersionStage": "AWSPENDING", "RemoveFromVersionId": .string(pending),
        ]))
    }
}
