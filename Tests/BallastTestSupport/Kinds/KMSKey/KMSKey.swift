import BallastAWS
import BallastCore
import Foundation

/// `AWS::KMS::Key` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let kmsKey = KindMaterial(
        type: "AWS::KMS::Key",
        seed: { try await $0.kmsKey($1, $2) },
        apply: ApplyCase(
            id: { "alias/" + uniqueName("key") }, live: ["EnableKeyRotation": false],
            desired: "{EnableKeyRotation: true}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::KMS::Key", "alias/bench-key-\(i)", ["EnableKeyRotation": .bool(!d)], "{EnableKeyRotation: true}",
                drifted: d)
        })
}

extension LiveSeeder {
    /// An `alias/...` id gets a new key behind that alias; any other id is ignored
    /// and the new key's id returned.
    func kmsKey(_ id: String, _ p: [String: Value]) async throws -> String {
        if id.hasPrefix("alias/") {
            let existing = try? await client.json(.kms, "DescribeKey", .map(["KeyId": .string(id)]))
            if existing != nil { return id }
        }
        let key = try await client.json(.kms, "CreateKey", .map(["Description": "ballast seed"]))
        guard let keyId = key["KeyMetadata"]?["KeyId"]?.string else { throw TestFailure("CreateKey gave no KeyId") }
        if id.hasPrefix("alias/") {
            _ = try await client.json(
                .kms, "CreateAlias", .map(["AliasName": .string(id), "TargetKeyId": .string(keyId)]))
        }
        if p["EnableKeyRotation"] == .bool(true) {
            var input: [String: Value] = ["KeyId": .string(keyId)]
            input["RotationPeriodInDays"] = p["RotationPeriodInDays"]
            _ = try await client.json(.kms, "EnableKeyRotation", .map(input))
        }
        return id.hasPrefix("alias/") ? id : keyId
    }
}
