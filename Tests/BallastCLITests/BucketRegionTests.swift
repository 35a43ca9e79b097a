import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A bucket in another region than its environment's, behind a proxy that answers as S3
/// does: a request signed for the wrong region gets 301 PermanentRedirect naming the
/// bucket's region in `x-amz-bucket-region`.
@Suite struct BucketRegionTests {
    @Test func aBucketInAnotherRegionIsReadAndWrittenThere() async throws {
        let bucket = uniqueName("elsewhere")
        try await seeder().create("AWS::S3::Bucket", id: bucket, ["VersioningConfiguration": ["Status": "Suspended"]])
        let port = MotoServer.shared.port
        let regions = Locked<[String]>([])
        let s3 = try LoopbackHTTPServer { request in
            let authorization = request.headers["authorization"] ?? ""
            let scope = authorization.components(separatedBy: "Credential=").last?.split(separator: "/") ?? []
            let region = scope.count > 2 ? String(scope[2]) : ""
            if request.path.hasPrefix("/\(bucket)") {
                regions.update { $0.append(region) }
                if region != "eu-west-1" {
                    let body = "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be "
                        + "addressed using the specified endpoint.</Message><Bucket>\(bucket)</Bucket></Error>"
                    return .response(status: 301, headers: ["x-amz-bucket-region": "eu-west-1", "Content-Type": "application/xml"],
                                     body: Array(body.utf8))
                }
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
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
}
