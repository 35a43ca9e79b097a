import BallastAWS
import BallastCore
import FoundationEssentials
import Glibc

/// Progress for long runs on stderr: silent for the first two seconds, then a
/// line now and then (rewritten in place on a terminal).
final class Progress: @unchecked Sendable {
    let label: String
    /// The calls and throttled answers so far, when the run counts them.
    let calls: CountingTransport?
    let started = Date()
    let lock = Lock()
    var lastShown: Date?
    var shownOnTerminal = false
    /// Per environment: read so far, and to read.
    var environments: [String: (read: Int, total: Int)] = [:]

    init(label: String, calls: CountingTransport? = nil) {
        self.label = label
        self.calls = calls
    }

    /// `read` more of `environment`'s `total` resources are read.
    func update(environment: String, read: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        environments[environment, default: (0, 0)].read += read
        environments[environment, default: (0, 0)].total = total
        let done = environments.values.reduce(0) { $0 + $1.read }
        let total = environments.values.reduce(0) { $0 + $1.total }
        let now = Date()
        guard now.timeIntervalSince(started) > 2, lastShown.map({ now.timeIntervalSince($0) >= 1 }) ?? true else {
            return
        }
        lastShown = now
        let elapsed = now.timeIntervalSince(started)
        var line = "\(label): \(done)/\(total) resources"
        if environments.count > 1 {
            line += " (" + environments.sorted { $0.key < $1.key }
                .map { "\(UntrustedText.line($0.key)) \($0.value.read)/\($0.value.total)" }
                .joined(separator: ", ") + ")"
        }
        line += ", \(Int(elapsed)) s"
        if let calls { line += ", \(calls.count) calls, \(calls.throttled) throttled" }
        if done > 0, done < total {
            line += ", about \(Int(elapsed / Double(done) * Double(total - done)) + 1) s left"
        }
        if isatty(STDERR_FILENO) == 1 {
            StandardStream.error.write("\r\(line)")
            shownOnTerminal = true
        } else {
            Terminal.err(line)
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shownOnTerminal { StandardStream.error.write("\n") }
        shownOnTerminal = false
    }
}
