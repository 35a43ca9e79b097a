import BallastAWS
import BallastCore
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// A bucket in another region than its environment's, behind a proxy that answers as S3
/// does: a request signed for the wrong region gets 301 PermanentRedirect naming the
/// bucket's region in `x-amz-bucket-region`.
@Suite struct BucketRegionTests {
    /// S3 in front of moto: the bucket answers only requests signed for eu-west-1; `regions`
    /// records the region each request to it was signed for.
    func redirectingS3(_ bucket: String, regions: Locked<[String]>) throws -> LoopbackHTTPServer {
        let port = MotoServer.shared.port
        return try LoopbackHTTPServer { request in
            let authorization = request.headers["authorization"] ?? ""
            let scope = authorization.components(separatedBy: "Credential=").last?.split(separator: "/") ?? []
            let region = scope.count > 2 ? String(scope[2]) : ""
            if request.path.hasPrefix("/\(bucket)") {
                regions.update { $0.append(region) }
                if region != "eu-west-1" {
                    let body =
                        "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access "
                            + "must be "
                        + "addressed using the specified endpoint.</Message><Bucket>\(bucket)</Bucket></Error>"
                    return .response(
                        status: 301, headers: ["x-amz-bucket-region": "eu-west-1", "Content-Type": "application/xml"],
                        body: Array(body.utf8))
                }
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
    }

    @Test func aBucketInAnotherRegionIsReadAndWrittenThere() async throws {
        let bucket = uniqueName("elsewhere")
        try await seeder().create("AWS::S3::Bucket", id: bucket, ["VersioningConfiguration": ["Status": "Suspended"]])
        let regions = Locked<[String]>([])
        let s3 = try redirectingS3(bucket, regions: regions)
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::S3::Bucket, id: \(bucket), properties: {VersioningConfiguration: {Status: Enabled}}}\n")
        let variables = ["AWS_ENDPOINT_URL_S3": s3.url]
        let drift = try repo.ballast(["drift", "--output", "json"], variables)
        #expect(drift.status == 2, "\(drift.stdout)\(drift.stderr)")
        let apply = try repo.ballast(["apply", "--auto-approve"], variables)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try repo.ballast(["drift"], variables).status == 0)
        #expect(regions.current.contains("us-east-1") && regions.current.last == "eu-west-1")
    }

    /// What S3 said of a bucket's region is kept by the session that heard it (every client of
    /// one `AWSSetup`), not by the process: a second session learns it for itself, and within a
    /// session the redirect is paid once.
    @Test func aSessionLearnsABucketsRegionForItself() async throws {
        let bucket = uniqueName("learnt")
        try await seeder().create("AWS::S3::Bucket", id: bucket, ["VersioningConfiguration": ["Status": "Suspended"]])
        let regions = Locked<[String]>([])
        let s3 = try redirectingS3(bucket, regions: regions)
        let environment = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL_S3": s3.url]) { _, new in new }
        let target = [LiveTarget(id: bucket, declared: ["VersioningConfiguration"])]
        func read(_ setup: AWSSetup) async -> LiveRead? {
            await S3BucketKind.read(target, with: setup.client(region: "us-east-1"))[bucket]
        }
        let first = AWSSetup(environment: environment)
        #expect(await read(first) == .found(["VersioningConfiguration": ["Status": "Suspended"]]))
        #expect(await read(first) != nil)
        #expect(regions.current == ["us-east-1", "eu-west-1", "eu-west-1"], "the redirect is paid once a session")
        regions.update { $0.removeAll() }
        #expect(await read(AWSSetup(environment: environment)) != nil)
        #expect(regions.current == ["us-east-1", "eu-west-1"], "another session learns the region for itself")
    }
}
