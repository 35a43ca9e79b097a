import BallastCore

/// Building blocks for kinds' `changes(for:)`: which assignments go into which call.
enum ChangeBuilder {
    /// One change for the assignments under `prefixes` (all when empty), or none.
    static func change(_ drift: ResourceDrift, _ operation: APIOperation, prefixes: [String] = [],
                       extra: (inout [String: PlannedChange.Assignment]) -> Void = { _ in }) -> PlannedChange? {
        var set = PlanTargets.assignments(for: drift).filter { entry in
            prefixes.isEmpty || prefixes.contains { entry.key == $0 || entry.key.hasPrefix($0 + "/") }
        }
        guard !set.isEmpty else { return nil }
        extra(&set)
        return PlannedChange(drift.key, id: drift.physicalId, operation: operation, set: set)
    }

    /// The one write that fixes every owned property of a kind written by a single call.
    static func single(_ drift: ResourceDrift, _ operation: APIOperation) -> [PlannedChange] {
        change(drift, operation).map { [$0] } ?? []
    }

    /// Adds a live value the API needs alongside the changed ones (UpdateTable wants both capacities).
    static func keep(_ path: String, from live: [String: Value]?, in set: inout [String: PlannedChange.Assignment]) {
        guard set[path] == nil, let current = live.flatMap({ value(at: path, in: $0) }) else { return }
        set[path] = .init(from: current, to: current)
    }
}

extension PlannedChange {
    /// The target value at a path, if this change sets it.
    func to(_ path: String) -> Value? { set[path]?.to }

    /// The same assignments through another operation (DisableRule rather than EnableRule).
    func calling(_ operation: APIOperation) -> PlannedChange {
        var copy = self
        copy.operation = operation
        return copy
    }
}
