import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A long run says on stderr how far it is: resources read (per environment), calls, throttled answers, time left.
@Suite struct ProgressTests {
    @Test func aSlowThrottledRunReportsItsCallsAndThrottles() async throws {
        var lines: [String] = []
        for index in 0..<6 {
            let table = uniqueName("progress-\(index)")
            try await seeder().create("AWS::DynamoDB::Table", id: table, ["BillingMode": "PAY_PER_REQUEST"])
            lines.append("  - {type: AWS::DynamoDB::Table, id: \(table), properties: {BillingMode: PAY_PER_REQUEST}}")
        }
        // Two environments: the line says each one's count.
        let repo = try TempRepository.desiredState(lines[0..<3].joined(separator: "\n") + "\n")
        _ = try repo.commit(["desired-state/staging/environment.yaml": Fixture.environment,
                             "desired-state/staging/resources.yaml":
                                "resources:\n" + lines[3...].joined(separator: "\n") + "\n"],
                            message: "staging")
        let throttled = Locked(0)
        // The first four answers are throttling; every answer takes a second: the run lasts over two.
        let slow = try LoopbackHTTPServer { request in
            Thread.sleep(forTimeInterval: 1)
            let first = throttled.update { count -> Bool in
                count += 1
                return count <= 4
            }
            if first {
                return .response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.0"],
                                 body: Array(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.utf8))
            }
            return LoopbackHTTPServer.forward(request, toPort: MotoServer.shared.port).map { .raw($0) } ?? .drop
        }
        let result = try repo.ballast(["drift"], ["AWS_ENDPOINT_URL": slow.url])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let progress = result.stderr.split(separator: "\n").filter { $0.hasPrefix("reading live settings: ") }
        #expect(!progress.isEmpty, "\(result.stderr)")
        #expect(progress.contains { $0.contains(" calls, 4 throttled") }, "\(progress)")
        #expect(progress.contains { $0.contains("/6 resources (staging ") && $0.contains("/3, test ")
            && $0.contains("/3), ") }, "\(progress)")
    }
}
