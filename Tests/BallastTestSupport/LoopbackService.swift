import Foundation

/// A server the tests start on a loopback port (moto, the GitHub stand-in), kept alive
/// by a watchdog shell that SIGKILLs it when the test process is gone. SIGKILL, because
/// children of the test runner inherit a signal mask that blocks SIGTERM. Its output
/// goes to a log file, never to the test runner's pipes (which an orphan would hold open).
public final class LoopbackService: @unchecked Sendable {
    public let port: Int
    public let log = NSTemporaryDirectory() + "ballast-service-" + UUID().uuidString + ".log"

    /// Runs `command` (a shell command line) and waits until `port` accepts connections.
    public init(_ command: String, port: Int, name: String) throws {
        self.port = port
        let parent = ProcessInfo.processInfo.processIdentifier
        // posix_spawn, not Foundation's Process (see `Run.process`).
        _ = try Run.detached("/bin/sh", ["-c", """
            \(command) >"\(log)" 2>&1 &
            child=$!
            echo $child >"\(log).pid"
            while kill -0 \(parent) 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
            kill -9 $child 2>/dev/null
            """])
        let started = Date()
        while !LoopbackPort.accepts(port) {
            guard Date().timeIntervalSince(started) < 30 else {
                let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestFailure("\(name) did not start on port \(port): \(output.suffix(2_000))")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Kills the server now (tests that own one; shared servers live as long as the process).
    public func stop() {
        if let text = try? String(contentsOfFile: log + ".pid", encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: log)
        try? FileManager.default.removeItem(atPath: log + ".pid")
    }
}
