import BallastCore
import BallastEngine
import FoundationEssentials

/// What a run takes from its environment at the edge, handed to the engine as values: the time
/// (`BALLAST_NOW`, an ISO-8601 instant, fixes it for tests and the demo; otherwise the machine's)
/// and the MAC key of plans and holds (`BALLAST_PLAN_KEY`).
enum RunContext {
    static let nowVariable = "BALLAST_NOW"

    /// The run's clock: `BALLAST_NOW` when set (refused when it is not an instant), else now.
    static func clock() throws -> @Sendable () -> Date {
        guard let text = ProcessInfo.processInfo.environment[nowVariable], !text.isEmpty else { return { Date() } }
        guard let fixed = Timestamp.parse(text) else {
            Terminal.error("\(nowVariable) is an ISO-8601 instant such as 2026-12-06T02:30:00Z, not "
                + "'\(UntrustedText.line(text))'")
            throw Failure.error
        }
        return { fixed }
    }

    /// `BALLAST_PLAN_KEY`, or nil; too short a key is refused.
    static func key() throws -> [UInt8]? {
        try Failure.guarding { try PlanFile.key(from: ProcessInfo.processInfo.environment) }
    }
}
