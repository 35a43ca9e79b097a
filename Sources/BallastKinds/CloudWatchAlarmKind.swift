import BallastCore

/// CloudWatch metric alarms. Dimensions are a map of name to value.
public struct CloudWatchAlarmKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        comparison: comparison, changedBy: changedBy, plannedReads: plannedReads, changes: changes(for:))

    /// What else changes what it owns: actions switched off or on (`ActionsEnabled`), or the alarm deleted. Watched
    /// for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.cloudWatch, "DisableAlarmActions"),
        APIOperation(.cloudWatch, "EnableAlarmActions"),
        APIOperation(.cloudWatch, "DeleteAlarms"),
    ]

    static let describeAlarms = APIOperation(.cloudWatch, "DescribeAlarms")
    static let putMetricAlarm = APIOperation(.cloudWatch, "PutMetricAlarm")

    static let actions = ValueType.list(.text, maxCount: 5)

    /// `aws_cloudwatch_metric_alarm`: dimensions are a map there too; unset strings are empty.
    static let terraform = TerraformMapping("aws_cloudwatch_metric_alarm", idAttribute: "alarm_name", [
        .init("/Namespace", "namespace", convert: TerraformValue.unless("")),
        .init("/MetricName", "metric_name", convert: TerraformValue.unless("")),
        .init("/Dimensions", "dimensions"),
        .init("/Statistic", "statistic", convert: TerraformValue.unless("")),
        .init("/Period", "period", convert: TerraformValue.unless(0)),
        .init("/EvaluationPeriods", "evaluation_periods"),
        .init("/DatapointsToAlarm", "datapoints_to_alarm", convert: TerraformValue.unless(0)),
        .init("/Threshold", "threshold"),
        .init("/ComparisonOperator", "comparison_operator"),
        .init("/TreatMissingData", "treat_missing_data"),
        .init("/ActionsEnabled", "actions_enabled"),
        .init("/AlarmActions", "alarm_actions", convert: TerraformValue.list),
        .init("/OKActions", "ok_actions", convert: TerraformValue.list),
        .init("/InsufficientDataActions", "insufficient_data_actions", convert: TerraformValue.list),
        .init("/AlarmDescription", "alarm_description", convert: TerraformValue.unless("")),
    ])

    static let properties = ResourceSchema(
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
            if let p = r.exactValue(at: "/Period")?.number, p != 10, p != 30,
                p.truncatingRemainder(dividingBy: 60) != 0 {
                found.append(
                    Diagnostic(
                        r.location(of: "/Period"),
                        "Period must be 10, 30 or a multiple of 60 seconds, not \(Value.double(p))"))
            }
            return found
        })
    /// AWS keeps action lists in no particular order.
    static let comparison = ComparisonRules(unordered: ["/AlarmActions", "/OKActions", "/InsufficientDataActions"])

    static let permissions = KindPermissions(
        read: [describeAlarms],
        write: [putMetricAlarm]) { id, region, account in
        "arn:aws:cloudwatch:\(region):\(account):alarm:\(name(id))"
    }

    /// DescribeAlarms takes up to 100 names a call.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.inBatches(targets, of: 100) { batch in
            var parameters = ["MaxRecords": "100"]
            for (index, target) in batch.enumerated() {
                parameters["AlarmNames.member.\(index + 1)"] = name(target.id)
            }
            let alarms = try await client.queryPages(describeAlarms, parameters).items("MetricAlarms")
            let found = Dictionary(
                alarms.map { ($0.child("AlarmName")?.text ?? "", properties($0)) }, uniquingKeysWith: { a, _ in a })
            return Reading.pair(batch, found, key: name)
        }
    }

    static func properties(_ alarm: XMLTree) -> [String: Value] {
        var live: [String: Value?] = [
            "Namespace": alarm.string("Namespace"),
            "MetricName": alarm.string("MetricName"),
            "Statistic": alarm.string("Statistic"),
            "Period": alarm.int("Period"),
            "EvaluationPeriods": alarm.int("EvaluationPeriods"),
            // Unset means every evaluated period must breach.
            "DatapointsToAlarm": alarm.int("DatapointsToAlarm") ?? alarm.int("EvaluationPeriods"),
            "Threshold": alarm.double("Threshold"),
            "ComparisonOperator": alarm.string("ComparisonOperator"),
            // Unset is AWS's default, `missing`.
            "TreatMissingData": alarm.string("TreatMissingData") ?? .string("missing"),
            "ActionsEnabled": alarm.bool("ActionsEnabled"),
            // An alarm without actions has empty lists, not absent ones.
            "AlarmActions": alarm.texts("AlarmActions"),
            "OKActions": alarm.texts("OKActions"),
            "InsufficientDataActions": alarm.texts("InsufficientDataActions"),
            "AlarmDescription": alarm.string("AlarmDescription"),
        ]
        // CloudFormation writes dimensions as a list of {Name, Value}; the repository as a map.
        live["Dimensions"] = .map(Dictionary(alarm.members("Dimensions").map {
            ($0.child("Name")?.text ?? "", Value.string($0.child("Value")?.text ?? ""))
        }, uniquingKeysWith: { a, _ in a }))
        return live.compactMapValues { $0 }
    }

    /// An alarm ARN ends in `alarm:NAME`.
    static func name(_ id: String) -> String { ARN.name(id, after: "alarm:") }

    /// PutMetricAlarm replaces the whole alarm, so apply re-reads it and re-puts
    /// every live setting, changing only the owned ones.
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        var parameters = ["AlarmTypes.member.1": "MetricAlarm"]
        if !prefix.isEmpty { parameters["AlarmNamePrefix"] = prefix }
        return try await client.queryPages(describeAlarms, parameters).items("MetricAlarms")
            .compactMap { $0.child("AlarmName")?.text }
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeAlarms: Reading.batches(targets.count, of: 100)]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, putMetricAlarm)
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [putMetricAlarm: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let alarmName = name(change.id)
        let answer = try await client.query(describeAlarms, ["AlarmNames.member.1": alarmName])
        guard let alarm = answer.child("MetricAlarms")?.children.first else {
            throw AWSError(service: "CloudWatch", operation: "DescribeAlarms", code: "NotFound",
                           message: "alarm \(alarmName) no longer exists", status: 0, requestId: nil)
        }
        guard alarm.members("Metrics").isEmpty else {
            throw WriteError("ballast cannot perform PutMetricAlarm for a metric-math alarm")
        }
        var parameters = ["AlarmName": alarmName]
        for key in [
            "AlarmDescription", "ActionsEnabled", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
            "Period",
            "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
            "EvaluateLowSampleCountPercentile", "ThresholdMetricId",
        ] {
            parameters[key] = change.to("/" + key).map(plain) ?? alarm.child(key)?.text
        }
        for list in ["AlarmActions", "OKActions", "InsufficientDataActions"] {
            let items = change.to("/" + list)?.list?.map(plain) ?? alarm.members(list).map(\.text)
            for (index, item) in items.enumerated() { parameters["\(list).member.\(index + 1)"] = item }
        }
        var dimensions = Dictionary(
            alarm.members("Dimensions").map { ($0.child("Name")?.text ?? "", $0.child("Value")?.text ?? "") },
            uniquingKeysWith: { a, _ in a })
        if case .map(let wanted)? = change.to("/Dimensions") { dimensions = wanted.mapValues(plain) }
        for (index, key) in dimensions.keys.sorted().enumerated() {
            parameters["Dimensions.member.\(index + 1).Name"] = key
            parameters["Dimensions.member.\(index + 1).Value"] = dimensions[key]
        }
        _ = try await client.query(putMetricAlarm, parameters)
    }

    static func plain(_ value: Value) -> String { value.string ?? value.description }
}
