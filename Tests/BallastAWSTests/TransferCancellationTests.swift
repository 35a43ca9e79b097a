import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A transfer whose task is cancelled stops without waiting for the answer: a watch stopped during
/// SQS's 20-second long poll exits at once (libcurl asks its progress callback at least once a
/// second, waiting included). Judged by the outcome, not a clock: the server answers only when the
/// test ends, so a transfer that ran on would end in the transport's timeout, not in cancellation.
@Suite struct TransferCancellationTests {
    @Test func aCancelledTransferStopsWithoutWaitingForTheAnswerAndItsHandleServesTheNext() async throws {
        let answer = DispatchSemaphore(value: 0)
        let server = try LoopbackHTTPServer { request in
            if request.path == "/never" { answer.wait() }
            return .response(status: 200, headers: ["Content-Type": "text/plain"], body: Array("ok".utf8))
        }
        defer {
            answer.signal()
            server.stop()
        }
        let transport = CurlTransport(maxConcurrent: 1, totalTimeoutMs: 60_000)
        let waiting = Task { try await transport.send(HTTPRequest(method: "GET", url: server.url + "/never")) }
        try await Task.sleep(for: .milliseconds(300))
        waiting.cancel()
        let outcome = await waiting.result
        #expect(throws: CancellationError.self) { try outcome.get() }

        // The pool's only handle is free again and carries the next call.
        let next = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/fast"))
        #expect(next.status == 200 && next.body == Array("ok".utf8))
    }
}
