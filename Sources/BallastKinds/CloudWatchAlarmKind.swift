import BallastCore

/// CloudWatch metric alarms. Dimensions are a map of name to value.
public struct CloudWatchAlarmKind: ResourceKind {
    static let actions = ValueType.list(.text, maxCount: 5)

    public static let schema = ResourceSchema(
        type: "AWS::CloudWatch::Alarm",
        properties: ObjectSchema([
            ("Namespace", .text),
            ("MetricName", .text),
            ("Dimensions", .map(.text)),
            ("Statistic", .oneOf(["SampleCount", "Average", "Sum", "Minimum", "Maximum"])),
            ("Period", .integer(10...Int.max)),
            ("EvaluationPeriods", .positive),
            ("DatapointsToAlarm", .positive),
            ("Threshold", .number),
            ("ComparisonOperator", .oneOf([
                "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold",
                "LessThanOrEqualToThreshold", "LessThanLowerOrGreaterThanUpperThreshold",
                "LessThanLowerThreshold", "GreaterThanUpperThreshold",
            ])),
            ("TreatMissingData", .oneOf(["breaching", "notBreaching", "ignore", "missing"])),
            ("ActionsEnabled", .boolean),
            ("AlarmActions", actions),
            ("OKActions", actions),
            ("InsufficientDataActions", actions),
            ("AlarmDescription", .text),
        ]),
        checks: { r in
            var found = Check.ordered(r, "/DatapointsToAlarm", "/EvaluationPeriods")
            if let p = r.exactValue(at: "/Period")?.number, p != 10, p != 30, p.truncatingRemainder(dividingBy: 60) != 0 {
                found.append(Diagnostic(r.location(of: "/Period"), "Period must be 10, 30 or a multiple of 60 seconds, not \(Int(p))"))
            }
            return found
        })
}
