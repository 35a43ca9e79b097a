import BallastCore

/// Performs planned changes, each resource's in plan order and different resources' at once
/// within the pacer's limits, stopping at the first failure unless told to go on, and says
/// what happened to each.
public struct Applier: Sendable {
    public enum Outcome: Sendable, Equatable {
        case applied
        case failed(String)
        case notAttempted
    }

    /// The client a change is written with (its region, its environment's role).
    let client: @Sendable (PlannedChange) -> any AWSAPI
    /// Reads a change's resource back: true when AWS holds every value it sets. A write
    /// whose answer was lost may have landed before its retry failed (a conflict, "already
    /// in that state"): then it is applied, not failed.
    let landed: @Sendable (PlannedChange) async -> Bool
    /// How long a write AWS finishes in the background is followed (Cloud Control's requests), in seconds.
    let waitTimeout: Double

    public init(client: @escaping @Sendable (PlannedChange) -> any AWSAPI, waitTimeout: Double = 600,
                landed: @escaping @Sendable (PlannedChange) async -> Bool = { _ in false }) {
        self.client = client
        self.waitTimeout = waitTimeout
        self.landed = landed
    }

    /// Resources written at once at most.
    static let resourcesAtOnce = 32

    /// One resource's writes go one after another in plan order, and a failed one stops the rest
    /// of that resource's; different resources' writes go at once, as many per call as the
    /// writer's pacer lets in flight, so a write journaled as started is one being sent.
    /// Without `continueOnError` a failure starts nothing new (writes in flight end and are
    /// reported). `starting` hears of each write before it is sent and `finished` as it ends,
    /// in the order writes end, one at a time.
    public func apply(
        _ changes: [PlannedChange], continueOnError: Bool = false,
        starting: @Sendable (Int) async -> Void = { _ in },
        finished: @Sendable (Int, Outcome) async -> Void = { _, _ in }
    ) async -> [(PlannedChange, Outcome)] {
        var queues: [[Int]] = []
        var queueOf: [ResourceKey: Int] = [:]
        for (index, change) in changes.enumerated() {
            if let queue = queueOf[change.key] {
                queues[queue].append(index)
            } else {
                queueOf[change.key] = queues.count
                queues.append([index])
            }
        }
        let slot = changes.map { client($0).inFlightSlots(for: $0.operation) }
        var outcomes = [Outcome](repeating: .notAttempted, count: changes.count)
        await withTaskGroup(of: (queue: Int, index: Int, outcome: Outcome).self) { group in
            var next = [Int](repeating: 0, count: queues.count)   // per queue, the next change to write
            var ready = Array(queues.indices)                     // queues whose next change may start
            var busy: [String: Int] = [:]                         // writes in flight per pacer bucket
            var running = 0
            var stopped = false
            while true {
                var waiting: [Int] = []
                for queue in ready {
                    let index = queues[queue][next[queue]]
                    guard !stopped, running < Self.resourcesAtOnce,
                          busy[slot[index].bucket, default: 0] < slot[index].size else {
                        waiting.append(queue)
                        continue
                    }
                    next[queue] += 1
                    busy[slot[index].bucket, default: 0] += 1
                    running += 1
                    await starting(index)
                    group.addTask { (queue, index, await write(changes[index])) }
                }
                ready = stopped ? [] : waiting
                guard let (queue, index, outcome) = await group.next() else { break }
                running -= 1
                busy[slot[index].bucket]! -= 1
                outcomes[index] = outcome
                await finished(index, outcome)
                if case .failed = outcome {
                    stopped = stopped || !continueOnError
                } else if next[queue] < queues[queue].count {
                    ready.insert(queue, at: 0)
                }
            }
        }
        return Array(zip(changes, outcomes))
    }

    private func write(_ change: PlannedChange) async -> Outcome {
        do {
            guard let kind = change.kind else {
                throw WriteError("ballast cannot write \(change.key.type)")
            }
            try await kind.apply(change, with: client(change), waitTimeout: waitTimeout)
            return .applied
        } catch {
            return await landed(change) ? .applied : .failed(String(describing: error))
        }
    }
}
