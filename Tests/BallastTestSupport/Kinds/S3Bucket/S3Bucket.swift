import BallastAWS
import BallastCore
import BallastKinds
import Foundation

/// `AWS::S3::Bucket` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let s3Bucket = KindMaterial(
        type: "AWS::S3::Bucket",
        seed: {
            try await $0.bucket($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("bucket") }, live: [:],
            desired:
                "{VersioningConfiguration: {Status: Enabled}, LifecycleConfiguration: {Rules: "
                + "[{Id: raw, Status: Enabled, Prefix: raw/, ExpirationInDays: 30}]}}"
        ),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::S3::Bucket", "bench-bucket-\(i)",
                [
                    "VersioningConfiguration": ["Status": "Enabled"],
                    "LifecycleConfiguration": [
                        "Rules": [["Id": "expire", "Status": "Enabled", "ExpirationInDays": 30]]
                    ],
                ],
                "{VersioningConfiguration: {Status: Enabled}, "
                    + "LifecycleConfiguration: {Rules: [{Id: expire, Status: Enabled, "
                    + "ExpirationInDays: \(d ? 60 : 30)}]}}", drifted: d)
        })
}

extension LiveSeeder {
    func bucket(_ name: String, _ p: [String: Value]) async throws {
        let location =
            client.region == "us-east-1"
            ? nil
            : "<CreateBucketConfiguration><LocationConstraint>\(client.region)</LocationConstraint>"
                + "</CreateBucketConfiguration>"
        try await tolerant {
            _ = try await client.restXML(.s3, "CreateBucket", method: "PUT", segments: [name], body: location)
        }
        if let status = p["VersioningConfiguration"]?["Status"]?.string {
            _ = try await client.restXML(
                .s3, "PutBucketVersioning", method: "PUT", segments: [name], query: [("versioning", "")],
                body: "<VersioningConfiguration><Status>\(status)</Status></VersioningConfiguration>")
        }
        if let rules = p["LifecycleConfiguration"]?["Rules"]?.list, !rules.isEmpty {
            _ = try await client.restXML(
                .s3, "PutBucketLifecycleConfiguration", method: "PUT", segments: [name],
                query: [("lifecycle", "")],
                body: S3BucketKind.lifecycleXML(rules))
        }
    }
}
