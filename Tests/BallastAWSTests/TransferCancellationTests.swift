import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A transfer whose task is cancelled stops within a second, not when the server answers: a watch
/// stopped during SQS's 20-second long poll exits at once (libcurl asks its progress callback at
/// least once a second, waiting included).
@Suite struct TransferCancellationTests {
    @Test func aCancelledTransferStopsWithoutWaitingForTheAnswerAndItsHandleServesTheNext() async throws {
        let slow = try LoopbackHTTPServer { request in
            if request.path == "/slow" { Thread.sleep(forTimeInterval: 10) }
            return .response(status: 200, headers: ["Content-Type": "text/plain"], body: Array("ok".utf8))
        }
        defer { slow.stop() }
        let transport = CurlTransport(maxConcurrent: 1)
        let started = Date()
        let waiting = Task { try await transport.send(HTTPRequest(method: "GET", url: slow.url + "/slow")) }
        try await Task.sleep(for: .milliseconds(300))
        waiting.cancel()
        let outcome = await waiting.result
        let took = Date().timeIntervalSince(started)
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(took < 5, "the transfer ran on for \(took) s after its task was cancelled")

        // The pool's only handle is free again and carries the next call.
        let next = try await transport.send(HTTPRequest(method: "GET", url: slow.url + "/fast"))
        #expect(next.status == 200 && next.body == Array("ok".utf8))
    }
}
