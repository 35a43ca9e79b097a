import BallastCore

/// EventBridge rules: the on/off switch and the schedule of scheduled jobs.
public struct EventsRuleKind: ResourceKind {
    public static let schema = ResourceSchema(
        type: "AWS::Events::Rule",
        properties: ObjectSchema([
            ("State", .oneOf(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"])),
            ("ScheduleExpression", .string(Schedule.format)),
        ]))
}
