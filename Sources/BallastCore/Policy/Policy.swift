import FoundationEssentials

/// A rule over the desired state (`on: state`) or over each planned change (`on: change`).
public struct Policy: Sendable {
    public enum Severity: String, Sendable { case deny, warn }
    public enum Scope: String, Sendable { case state, change }

    public var id: String
    public var description: String?
    public var severity: Severity
    public var match: PolicyMatch
    public var scope: Scope
    public var assert: CELExpression
    /// Where the assert text starts, so evaluation errors point into the file.
    public var assertLocation: SourceLocation
    public var message: String?
    public var source: SourceLocation

    /// What a failure says: the message, else the description, else the assertion.
    public var failureMessage: String { message ?? description ?? "assert failed: \(assert.source)" }
}

/// Which resources a policy or waiver applies to; every part is optional.
public struct PolicyMatch: Sendable {
    public var type: String?
    public var id: String?
    public var environments: [String]?

    public init(type: String? = nil, id: String? = nil, environments: [String]? = nil) {
        self.type = type
        self.id = id
        self.environments = environments
    }

    public func matches(type resourceType: String, id resourceId: String, environment: String) -> Bool {
        matches(type: resourceType, environment: environment) && matches(id: resourceId)
    }

    func matches(type resourceType: String, environment: String) -> Bool {
        (type.map { Glob.matches($0, resourceType) } ?? true)
            && (environments.map { $0.contains(environment) } ?? true)
    }

    func matches(id resourceId: String) -> Bool { id.map { Glob.matches($0, resourceId) } ?? true }
}

/// An exception to a policy for matching resources until a date, with the reason.
public struct Waiver: Sendable {
    public var policy: String
    public var match: PolicyMatch
    /// The last day (UTC) the waiver applies.
    public var until: Date
    public var untilText: String
    public var reason: String
    public var source: SourceLocation

    public func isExpired(on today: Date) -> Bool { today >= until.addingTimeInterval(86_400) }
}

/// Every policy and waiver of a revision's `policies/` files.
public struct PolicySet: Sendable {
    public var policies: [Policy]
    public var waivers: [Waiver]
    /// Test cases for `ballast policy test`.
    public var tests: [PolicyTestCase]

    public init(policies: [Policy] = [], waivers: [Waiver] = [], tests: [PolicyTestCase] = []) {
        self.policies = policies
        self.waivers = waivers
        self.tests = tests
    }
}

/// `*` (any run of characters, `/` included) and `?` (one character), as in the spec's `id: "/aws/*"`.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        // Unicode scalars: `?` is one character, and scalars compare far faster than Characters.
        let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
