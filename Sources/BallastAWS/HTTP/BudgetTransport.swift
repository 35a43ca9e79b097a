import BallastCore
import FoundationEssentials

/// A run's budget (`--max-requests`, `--max-duration`): once spent, every request fails at
/// once with `BudgetSpent`, which is never retried, so the resources not read yet are
/// NOT_CHECKED with the reason instead of reported as drift or as clean.
public final class BudgetTransport: HTTPTransport, @unchecked Sendable {
    public struct BudgetSpent: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    private let base: any HTTPTransport
    private let maxRequests: Int?
    private let deadline: Date?
    private let limitText: String
    private let lock = Lock()
    private var sent = 0

    public init(_ base: any HTTPTransport, maxRequests: Int?, maxDuration: TimeInterval?, now: Date = Date()) {
        self.base = base
        self.maxRequests = maxRequests
        deadline = maxDuration.map { now.addingTimeInterval($0) }
        limitText = [maxRequests.map { "--max-requests \($0)" }, maxDuration.map { "--max-duration \(Int($0))s" }]
            .compactMap { $0 }.joined(separator: ", ")
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let allowed = lock.withLock { () -> Bool in
            if let maxRequests, sent >= maxRequests { return false }
            if let deadline, Date() >= deadline { return false }
            sent += 1
            return true
        }
        guard allowed else { throw BudgetSpent(description: "not read: the run's budget is spent (\(limitText))") }
        return try await base.send(request)
    }
}
