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

    let client: @Sendable (String) -> AWSClient

    public init(client: @escaping @Sendable (String) -> AWSClient) {
        self.client = client
    }

    public func apply(_ changes: [PlannedChange], continueOnError: Bool = false) async -> [(PlannedChange, Outcome)] {
        var outcomes: [(PlannedChange, Outcome)] = []
        var stopped = false
        for change in changes {
            guard !stopped else {
                outcomes.append((change, .notAttempted))
                continue
            }
            do {
                guard let kind = KindRegistry.kind(for: change.type) else { throw LoadError("ballast cannot write \(change.type)") }
                try await kind.apply(change, with: client(change.region))
                outcomes.append((change, .applied))
            } catch {
                outcomes.append((change, .failed(String(describing: error))))
                stopped = !continueOnError
            }
        }
        return outcomes
    }
}
