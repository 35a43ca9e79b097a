import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Answers from AWS (or from anything that answers at its address) are untrusted: bounded in depth
/// and size as JSON's are, so no answer can crash a run.
@Suite struct HostileAnswerTests {
    /// A loopback endpoint that answers STS's GetCallerIdentity with `body` and forwards the rest to moto.
    static func proxy(stsAnswer body: String) throws -> LoopbackHTTPServer {
        let port = MotoServer.shared.port
        return try LoopbackHTTPServer { request in
            if String(decoding: request.body, as: UTF8.self).contains("Action=GetCallerIdentity") {
                return .response(status: 200, headers: ["Content-Type": "text/xml"], body: Array(body.utf8))
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
    }

    /// 70,000 nested elements (about 500 KB) in the account guard's answer: drift says the answer is
    /// malformed and reports, doctor says so too; neither crashes.
    @Test func aDeeplyNestedXMLAnswerIsRefusedNotFollowed() throws {
        let deep = "<GetCallerIdentityResponse>" + String(repeating: "<a>", count: 70_000)
            + String(repeating: "</a>", count: 70_000) + "</GetCallerIdentityResponse>"
        let server = try Self.proxy(stsAnswer: deep)
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: /deep/xml, properties: "
            + "{RetentionInDays: 7}}\n", environment: Fixture.environment + "account: \"123456789012\"\n")
        let environment = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": server.url]) { $1 }
        let drift = try Run.ballast(["drift", "--repo", repo.path], environment: environment)
        #expect(drift.status == 1, "exit \(drift.status) (139: a crash)\n\(drift.stdout)\(drift.stderr)")
        #expect((drift.stdout + drift.stderr).contains("MalformedResponse"), "\(drift.stdout)\(drift.stderr)")
        let doctor = try Run.ballast(["doctor", "--repo", repo.path], environment: environment)
        #expect(doctor.status == 1, "exit \(doctor.status) (139: a crash)\n\(doctor.stdout)\(doctor.stderr)")

        // Nested to the bound's depth, a well-formed answer still reads.
        let fine = try Self.proxy(
            stsAnswer: "<GetCallerIdentityResponse><GetCallerIdentityResult>"
                + "<Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>T</UserId>"
                + "</GetCallerIdentityResult></GetCallerIdentityResponse>")
        let ok = try Run.ballast(
            ["drift", "--repo", repo.path],
            environment: MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": fine.url]) { $1 })
        // The account guard passes, and the missing group is reported as drift.
        #expect(ok.status == 2 && !(ok.stdout + ok.stderr).contains("MalformedResponse"), "\(ok.stdout)\(ok.stderr)")
    }
}
