/// A policy test (`tests:` in a policy file), like conftest's `verify`: one policy,
/// one resource or one change, and the result the policy must give.
public struct PolicyTestCase: Sendable {
    public enum Subject: Sendable {
        /// A desired resource, written as in desired-state/ (ranges included).
        case resource(DesiredResource)
        /// A planned change (`set` as in the plan JSON), with the desired resource when the test gives one.
        case change(PlannedChange, desired: DesiredResource?)
    }

    /// `skip`: the policy's match leaves the subject out, so it is not checked at all.
    public enum Expected: String, Sendable, CaseIterable { case pass, fail, error, waived, skip }

    public var name: String
    public var policy: String
    public var subject: Subject
    public var expect: Expected
    public var source: SourceLocation
    /// `live`: what a run would have read (`live.lastRotated`), since a test reads nothing.
    public var live: [String: Value] = [:]

    public init(name: String, policy: String, subject: Subject, expect: Expected, source: SourceLocation) {
        self.name = name
        self.policy = policy
        self.subject = subject
        self.expect = expect
        self.source = source
    }
}

/// What a policy test gave.
public struct PolicyTestOutcome: Sendable {
    public var test: PolicyTestCase
    public var actual: PolicyTestCase.Expected
    /// The policy's message for a failure or an error; empty for a pass or a skip.
    public var message: String

    public var passed: Bool { actual == test.expect }
}

extension PolicyEngine {
    /// Runs one test the way `check` runs the policy: match, evaluate, then waivers.
    public func run(_ test: PolicyTestCase) -> PolicyTestOutcome {
        guard let policy = set.policies.first(where: { $0.id == test.policy }) else {
            // The decoder refuses tests of unknown policies; this is only a safeguard.
            return PolicyTestOutcome(test: test, actual: .error, message: "no policy '\(test.policy)'")
        }
        let skipped = PolicyTestOutcome(test: test, actual: .skip, message: "")
        let result: PolicyResult
        switch test.subject {
        case .resource(let resource):
            let id = resource.identity.description
            guard policy.scope == .state,
                policy.match.matches(type: resource.type, id: id, environment: resource.environment)
            else { return skipped }
            result = self.result(of: policy, on: PolicySubject(resource, id: id, live: test.live))
        case .change(let change, let desired):
            guard policy.scope == .change, let found = self.result(of: policy, on: change, desired: desired) else {
                return skipped
            }
            result = found
        }
        let actual: PolicyTestCase.Expected = switch result.result {
        case .pass: .pass
        case .fail: .fail
        case .error: .error
        case .waived: .waived
        }
        return PolicyTestOutcome(test: test, actual: actual, message: result.message)
    }
}
