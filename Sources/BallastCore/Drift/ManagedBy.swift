/// Another tool that manages a resource ballast owns settings of: ballast must not
/// fight it, and says so in every output (`managedBy` in the JSON report).
public enum ManagedBy: Sendable, Equatable {
    case terraform(address: String, state: String)
    /// `logicalId` is nil when only the stack is known (a ref to a stack output); `stackId`
    /// (the stack's ARN) when it was read.
    case cloudFormation(stack: String, logicalId: String?, stackId: String? = nil)

    /// `{"tool":"terraform","address":..,"state":..}` or `{"tool":"cloudformation","stack":..,"logicalId":..}`.
    public var json: Value {
        switch self {
        case .terraform(let address, let state):
            return ["tool": "terraform", "address": .string(address), "state": .string(state)]
        case .cloudFormation(let stack, let logicalId, let stackId):
            var fields: [String: Value] = ["tool": "cloudformation", "stack": .string(stack)]
            if let logicalId { fields["logicalId"] = .string(logicalId) }
            if let stackId { fields["stackId"] = .string(stackId) }
            return .map(fields)
        }
    }

    /// The stack, when CloudFormation manages it.
    public var stack: String? {
        if case .cloudFormation(let stack, _, _) = self { return stack }
        return nil
    }

    /// `terraform aws_cloudwatch_log_group.app`, `cloudformation tolling-vision-prod/AppLogs`.
    public var description: String {
        switch self {
        case .terraform(let address, _): return "terraform \(address)"
        case .cloudFormation(let stack, let logicalId, _):
            return "cloudformation \(stack)" + (logicalId.map { "/" + $0 } ?? "")
        }
    }
}
