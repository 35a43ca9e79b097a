import BallastAWS
import Foundation

/// Progress for long runs on stderr: silent for the first two seconds, then a
/// line now and then (rewritten in place on a terminal).
final class Progress: @unchecked Sendable {
    let label: String
    /// The calls and throttled answers so far, when the run counts them.
    let calls: CountingTransport?
    let started = Date()
    let lock = NSLock()
    var lastShown: Date?
    var shownOnTerminal = false

    init(label: String, calls: CountingTransport? = nil) {
        self.label = label
        self.calls = calls
    }

    func update(done: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(started) > 2, lastShown.map({ now.timeIntervalSince($0) >= 1 }) ?? true else { return }
        lastShown = now
        let elapsed = now.timeIntervalSince(started)
        var line = "\(label): \(done)/\(total) resources, \(Int(elapsed)) s"
        if let calls { line += ", \(calls.count) calls, \(calls.throttled) throttled" }
        if done > 0, done < total { line += ", about \(Int(elapsed / Double(done) * Double(total - done)) + 1) s left" }
        if isatty(STDERR_FILENO) == 1 {
            FileHandle.standardError.write(Data("\r\(line)".utf8))
            shownOnTerminal = true
        } else {
            Terminal.err(line)
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shownOnTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        shownOnTerminal = false
    }
}
