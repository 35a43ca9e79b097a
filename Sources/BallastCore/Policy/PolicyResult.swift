/// One policy checked on one resource or change (spec section 4 `policy`).
public struct PolicyResult: Sendable, Equatable {
    public enum Outcome: String, Sendable { case pass, fail, waived, error }

    public var policy: String
    public var severity: Policy.Severity
    /// `AWS::Logs::LogGroup /aws/ec2/tolling-vision`.
    public var resource: String
    public var environment: String
    public var message: String
    public var result: Outcome
    /// Where the resource (or the waiver) is written, for SARIF and the text output.
    public var source: SourceLocation?
    /// The waiver's reason, for a waived result.
    public var reason: String?

    public init(policy: String, severity: Policy.Severity, resource: String, environment: String, message: String,
                result: Outcome, source: SourceLocation? = nil, reason: String? = nil) {
        self.policy = policy
        self.severity = severity
        self.resource = resource
        self.environment = environment
        self.message = message
        self.result = result
        self.source = source
        self.reason = reason
    }

    /// A deny that failed (or could not be evaluated, which never passes silently) and was not waived.
    public var blocks: Bool { severity == .deny && (result == .fail || result == .error) }

    /// A warning that failed (or could not be evaluated) and was not waived.
    public var warns: Bool { severity == .warn && (result == .fail || result == .error) }

    public var json: Value {
        var fields: [String: Value] = [
            "policy": .string(policy), "severity": .string(severity.rawValue), "resource": .string(resource),
            "environment": .string(environment), "message": .string(message), "result": .string(result.rawValue),
        ]
        if let source { fields["source"] = ["file": .string(source.file), "line": .int(source.line)] }
        if let reason { fields["reason"] = .string(reason) }
        return .map(fields)
    }
}
