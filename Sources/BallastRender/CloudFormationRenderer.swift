import BallastCore

/// The JSON shape of CloudFormation's DescribeStackResourceDrifts answer, so
/// tools written for CloudFormation drift read ballast's report unchanged.
struct CloudFormationRenderer {
    func render(_ report: DriftReport) -> String {
        let timestamp = Value.string(Timestamp.iso8601(report.generatedAt))
        let drifts = report.resources.map { drift -> Value in
            var fields: [String: Value] = [
                "LogicalResourceId": .string(drift.displayId),
                "PhysicalResourceId": .string(drift.displayId),
                "ResourceType": .string(drift.resource.type),
                "StackResourceDriftStatus": .string(drift.status.rawValue),
                "ExpectedProperties": .string(JSON.encode(.map(drift.resource.properties.mapValues(\.asValue)))),
                "PropertyDifferences": .list(drift.differences.map { difference in
                    .map(["PropertyPath": .string(difference.path),
                          "ExpectedValue": .string(text(difference.expected)),
                          "ActualValue": .string(text(difference.actual)),
                          "DifferenceType": .string(difference.type.rawValue)])
                }),
                "Timestamp": timestamp,
            ]
            // The stack's ARN when it was read (refs, --stack, stacks the environment names), else its name.
            if case .cloudFormation(let stack, let logicalId, let stackId)? = drift.managedBy {
                fields["StackId"] = .string(stackId ?? stack)
                if let logicalId { fields["LogicalResourceId"] = .string(logicalId) }
            } else if case .ref(let stack, let logicalId) = drift.resource.identity {
                fields["StackId"] = .string(stack)
                fields["LogicalResourceId"] = .string(logicalId)
            }
            if let live = drift.live { fields["ActualProperties"] = .string(JSON.encode(.map(live))) }
            return .map(fields)
        }
        return JSON.encode(.map(["StackResourceDrifts": .list(drifts)]), pretty: true) + "\n"
    }

    /// CloudFormation writes scalar values bare (`30`, `Enabled`) and structures as JSON.
    func text(_ value: Value?) -> String {
        switch value {
        case nil: return "null"
        case .string(let s)?: return s
        case let other?: return JSON.encode(other)
        }
    }
}
