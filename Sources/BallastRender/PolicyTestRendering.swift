import BallastCore

/// `ballast policy test` results: a line per test, the failures explained, and the
/// policies no test covers.
public enum PolicyTestRendering {
    public static func text(_ outcomes: [PolicyTestOutcome], policies: [Policy]) -> String {
        var lines: [String] = []
        for outcome in outcomes {
            lines.append("\(outcome.passed ? "ok  " : "FAIL")  \(outcome.test.policy): \(outcome.test.name)")
            guard !outcome.passed else { continue }
            let said = outcome.message.isEmpty ? "" : ": \(outcome.message)"
            lines.append(
                "      expected \(outcome.test.expect.rawValue), got \(outcome.actual.rawValue)\(said) "
                    + "(\(outcome.test.source))"
            )
        }
        let failed = outcomes.filter { !$0.passed }.count
        lines.append("policy tests: \(outcomes.count - failed) passed, \(failed) failed")
        let untested = untested(outcomes, policies)
        if !untested.isEmpty { lines.append("policies without a test: " + untested.joined(separator: ", ")) }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func json(_ outcomes: [PolicyTestOutcome], policies: [Policy]) -> String {
        let tests: [Value] = outcomes.map { outcome in
            ["name": .string(outcome.test.name), "policy": .string(outcome.test.policy),
             "expected": .string(outcome.test.expect.rawValue), "actual": .string(outcome.actual.rawValue),
             "passed": .bool(outcome.passed), "message": .string(outcome.message),
             "source": ["file": .string(outcome.test.source.file), "line": .int(outcome.test.source.line)]]
        }
        let failed = outcomes.filter { !$0.passed }.count
        let report: Value = ["tests": .list(tests), "passed": .int(outcomes.count - failed), "failed": .int(failed),
                             "untestedPolicies": .list(untested(outcomes, policies).map(Value.string))]
        return JSON.encode(report, pretty: true) + "\n"
    }

    static func untested(_ outcomes: [PolicyTestOutcome], _ policies: [Policy]) -> [String] {
        let tested = Set(outcomes.map(\.test.policy))
        return policies.map(\.id).filter { !tested.contains($0) }
    }
}
