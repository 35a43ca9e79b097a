import BallastCore

/// After the writes: reads the written resources again and says, per change,
/// whether AWS now holds the values it set.
public struct Verifier: Sendable {
    let detector: DriftDetector

    public init(detector: DriftDetector) {
        self.detector = detector
    }

    /// For each applied change (by index in `applied`), nil when verified,
    /// else what the re-read showed instead.
    public func verify(_ applied: [PlannedChange], planned report: DriftReport,
                       state: DesiredState) async -> [String?] {
        let wanted = Set(applied.map(\.key))
        let sources = Set(report.resources.filter { wanted.contains($0.key) }.map(\.resource.source))
        var subset = state
        for index in subset.environments.indices {
            subset.environments[index].resources.removeAll { !sources.contains($0.source) }
        }
        subset.environments.removeAll { $0.resources.isEmpty }
        let reread = await detector.detect(subset, revision: report.revision)
        let now = Dictionary(reread.resources.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        return applied.map { change in
            guard let drift = now[change.key] else { return "not read again" }
            switch drift.status {
            case .inSync: return nil
            case .deleted: return "the resource is gone"
            case .notChecked: return "could not be read again: \(drift.reason ?? "")"
            case .modified:
                let left = drift.differences.filter { difference in
                    change.set.keys.contains { difference.path == $0 || difference.path.hasPrefix($0 + "/") }
                }
                guard !left.isEmpty else { return nil }
                return left.map { "\($0.path) reads \($0.actual?.description ?? "(none)")" }.joined(separator: ", ")
            }
        }
    }
}
