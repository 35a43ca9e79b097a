import BallastCore

/// EventBridge rules: the on/off switch and the schedule of scheduled jobs.
public struct EventsRuleKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, plannedReads: plannedReads, changes: changes(for:))

    /// What else changes what it owns: the rule deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.events, "DeleteRule"),
    ]

    static let describeRule = APIOperation(.events, "DescribeRule")
    static let disableRule = APIOperation(.events, "DisableRule")
    static let enableRule = APIOperation(.events, "EnableRule")
    static let listRules = APIOperation(.events, "ListRules")
    static let putRule = APIOperation(.events, "PutRule")

    /// `aws_cloudwatch_event_rule`: `state` (provider 5.x); older states have only `is_enabled`.
    static let terraform = TerraformMapping("aws_cloudwatch_event_rule", idAttribute: "name", [
        .init("/State", "state", convert: TerraformValue.unless("")),
        .init("/ScheduleExpression", "schedule_expression", convert: TerraformValue.unless("")),
    ])

    static let properties = ResourceSchema(
        type: "AWS::Events::Rule",
        properties: ObjectSchema([
            ("State", .oneOf(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"])),
            ("ScheduleExpression", .string(Schedule.format)),
        ]))

    static let permissions = KindPermissions(
        read: [listRules, describeRule],
        write: [enableRule, disableRule, putRule],
        unscoped: [listRules]) { id, region, account in
        "arn:aws:events:\(region):\(account):rule/\(ARN.name(id, after: "rule/"))"
    }

    /// A bus's rules come from ListRules, 100 a page (`Limit` is at most 100: `LimitMax100` in the
    /// API's model), whose answer carries each rule's state and schedule: EventBridge's control-plane
    /// calls share 50 a second ("Amazon EventBridge quotas"), so one call
    /// for 100 rules is what makes a large set fast. A lone rule, or one not seen within the page
    /// bound (`Reading.listed`), is read with DescribeRule. An id may be `bus/rule` for a custom bus.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.listedOrEach(targets, container: { parts($0.id).bus ?? "" },
                                   missing: ["ResourceNotFoundException"], name: { parts($0.id).name },
                                   page: { rules, token in
            var input: [String: Value] = ["Limit": .int(100)]
            if let bus = parts(rules[0].id).bus { input["EventBusName"] = .string(bus) }
            if let token { input["NextToken"] = .string(token) }
            let page = try await client.json(listRules, .map(input))
            let members = (page["Rules"]?.list ?? []).compactMap { rule in
                rule["Name"]?.string.map { ($0, found(rule)) }
            }
            return (members, page["NextToken"]?.string)
        }, alone: { target in
            let (bus, name) = parts(target.id)
            var input: [String: Value] = ["Name": .string(name)]
            if let bus { input["EventBusName"] = .string(bus) }
            return found(try await client.json(describeRule, .map(input)))
        })
    }

    static func found(_ rule: Value) -> LiveRead {
        .found(["State": rule["State"], "ScheduleExpression": rule["ScheduleExpression"]].compactMapValues { $0 })
    }

    /// `name`, `bus/name`, or a rule ARN ending in `rule/[bus/]name`.
    static func parts(_ id: String) -> (bus: String?, name: String) {
        let path = ARN.name(id, after: "rule/")
        guard let slash = path.lastIndex(of: "/") else { return (nil, path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// The switch alone is EnableRule/DisableRule; a new schedule re-puts the
    /// rule with its live description, role and pattern kept.
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        let input: [String: Value] = prefix.isEmpty ? [:] : ["NamePrefix": .string(prefix)]
        return try await client.jsonPages(listRules, input, token: "NextToken")
            .flatMap { $0["Rules"]?.list ?? [] }.compactMap { $0["Name"]?.string }
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        Reading.listedOrEachCalls(targets, container: { parts($0.id).bus ?? "" }, pageSize: 100,
                                  list: listRules, each: describeRule)
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        if let schedule = ChangeBuilder.change(drift, putRule, prefixes: ["/ScheduleExpression"], extra: { set in
            if let state = PlanTargets.assignments(for: drift)["/State"] { set["/State"] = state }
        }) { return [schedule] }
        guard let state = ChangeBuilder.change(drift, enableRule, prefixes: ["/State"]) else { return [] }
        return [state.to("/State") == "DISABLED" ? state.calling(disableRule) : state]
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        enableRule: { change, client, _ in _ = try await client.json(enableRule, .map(rule(change))) },
        disableRule: { change, client, _ in _ = try await client.json(disableRule, .map(rule(change))) },
        putRule: { change, client, _ in
            var input = rule(change)
            let live = try await client.json(describeRule, .map(input))
            for key in ["Description", "RoleArn", "EventPattern", "State"] { input[key] = live[key] }
            input["ScheduleExpression"] = change.to("/ScheduleExpression")
            if let state = change.to("/State") { input["State"] = state }
            _ = try await client.json(putRule, .map(input))
        },
    ]

    /// The rule's `Name`, and its `EventBusName` when it is not on the default bus.
    static func rule(_ change: PlannedChange) -> [String: Value] {
        let (bus, name) = parts(change.id)
        var input: [String: Value] = ["Name": .string(name)]
        if let bus { input["EventBusName"] = .string(bus) }
        return input
    }
}
