@testable import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// What is signed is what is sent: an S3 key's path goes on the wire byte for byte as the signature
/// covers it (libcurl told not to remove `.` and `..` segments), so no endpoint can be led to another
/// object than the one signed for.
@Suite struct SignedPathTests {
    @Test func anS3PathIsSentAsSigned() async throws {
        let paths = Locked<[String]>([])
        let server = try LoopbackHTTPServer { request in
            paths.update { $0.append(request.path) }
            return .response(
                status: 200, headers: ["Content-Type": "application/octet-stream"], body: Array("{}".utf8))
        }
        let setup = AWSSetup(
            environment: MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": server.url]) { $1 })
        let client = AWSClient(
            region: "us-east-1", credentials: setup.credentials, transport: setup.transport,
            endpoints: setup.endpoints, retry: setup.retry)
        _ = try await client.getObject(bucket: "bucket-a", key: "states/../../bucket-b/secret.tfstate")
        #expect(paths.current.count == 1)
        #expect(paths.current.first?.hasSuffix("/states/../../bucket-b/secret.tfstate") == true, "\(paths.current)")
    }
}
