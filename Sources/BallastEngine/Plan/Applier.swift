import BallastAWS
import BallastCore
import BallastKinds

/// Performs planned changes in plan order, stopping at the first failure
/// unless told to go on, and says what happened to each.
public struct Applier: Sendable {
    public enum Outcome: Sendable, Equatable {
        case applied
        case failed(String)
        case notAttempted
    }

    /// The client a change is written with (its region, its environment's role).
    let client: @Sendable (PlannedChange) -> AWSClient
    /// Reads a change's resource back: true when AWS holds every value it sets. A write
    /// whose answer was lost may have landed before its retry failed (a conflict, "already
    /// in that state"): then it is applied, not failed.
    let landed: @Sendable (PlannedChange) async -> Bool

    public init(client: @escaping @Sendable (PlannedChange) -> AWSClient,
                landed: @escaping @Sendable (PlannedChange) async -> Bool = { _ in false }) {
        self.client = client
        self.landed = landed
    }

    /// `finished` hears of each write as it ends (by index), before the next starts.
    public func apply(_ changes: [PlannedChange], continueOnError: Bool = false,
                      finished: @Sendable (Int, Outcome) async -> Void = { _, _ in }) async -> [(PlannedChange, Outcome)] {
        var outcomes: [(PlannedChange, Outcome)] = []
        var stopped = false
        for (index, change) in changes.enumerated() {
            guard !stopped else {
                outcomes.append((change, .notAttempted))
                continue
            }
            do {
                guard let kind = KindRegistry.kind(for: change.type) else { throw LoadError("ballast cannot write \(change.type)") }
                try await kind.apply(change, with: client(change))
                outcomes.append((change, .applied))
            } catch {
                if await landed(change) {
                    outcomes.append((change, .applied))
                } else {
                    outcomes.append((change, .failed(String(describing: error))))
                    stopped = !continueOnError
                }
            }
            await finished(index, outcomes[index].1)
        }
        return outcomes
    }
}
