import BallastAWS
import BallastCore

/// EventBridge rules: the on/off switch and the schedule of scheduled jobs.
public struct EventsRuleKind: ResourceKind {
    public static let schema = ResourceSchema(
        type: "AWS::Events::Rule",
        properties: ObjectSchema([
            ("State", .oneOf(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"])),
            ("ScheduleExpression", .string(Schedule.format)),
        ]))
    /// DescribeRule, one rule at a time. An id may be `bus/rule` for a custom bus.
    public static func read(_ targets: [LiveTarget], with client: AWSClient) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["ResourceNotFoundException"]) { target in
            let (bus, name) = parts(target.id)
            var input: [String: Value] = ["Name": .string(name)]
            if let bus { input["EventBusName"] = .string(bus) }
            let rule = try await client.json(.events, "DescribeRule", .map(input))
            return .found(["State": rule["State"], "ScheduleExpression": rule["ScheduleExpression"]].compactMapValues { $0 })
        }
    }

    /// `name`, `bus/name`, or a rule ARN ending in `rule/[bus/]name`.
    static func parts(_ id: String) -> (bus: String?, name: String) {
        let path = ARN.name(id, after: "rule/")
        guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}
