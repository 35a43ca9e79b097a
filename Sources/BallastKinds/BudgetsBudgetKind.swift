import BallastCore

/// Cost budgets, identified by name in the credentials' account: the limit and period, and the
/// notifications the repository names (by type, comparison and threshold) with their subscribers.
/// AWS Budgets is global: every call goes to its one endpoint, signed for us-east-1.
public struct BudgetsBudgetKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        plannedReads: plannedReads, changes: changes(for:), normalize: normalized(_:for:))

    /// IAM authorizes every read as `budgets:ViewBudget` and every write as `budgets:ModifyBudget`
    /// ("Actions, resources, and condition keys for AWS Budget Service").
    static let describeBudget = APIOperation(.budgets, "DescribeBudget", iamAction: "budgets:ViewBudget")
    static let describeBudgets = APIOperation(.budgets, "DescribeBudgets", iamAction: "budgets:ViewBudget")
    static let describeNotifications = APIOperation(.budgets, "DescribeNotificationsForBudget",
                                                    iamAction: "budgets:ViewBudget")
    static let describeSubscribers = APIOperation(.budgets, "DescribeSubscribersForNotification",
                                                  iamAction: "budgets:ViewBudget")
    static let updateBudget = APIOperation(.budgets, "UpdateBudget", iamAction: "budgets:ModifyBudget")
    static let createNotification = APIOperation(.budgets, "CreateNotification", iamAction: "budgets:ModifyBudget")
    static let deleteNotification = APIOperation(.budgets, "DeleteNotification", iamAction: "budgets:ModifyBudget")
    /// Every Budgets call names the account: the credentials' own, which the session asks STS for
    /// once (`AWSAPI.callerAccount`), shared with the account guard.
    static let getCallerIdentity = APIOperation(.sts, "GetCallerIdentity")

    static let notification = ValueType.object(ObjectSchema([
        ("NotificationType", .oneOf(["ACTUAL", "FORECASTED"])),
        ("ComparisonOperator", .oneOf(["GREATER_THAN", "LESS_THAN", "EQUAL_TO"])),
        ("Threshold", .number),
        ("ThresholdType", .oneOf(["PERCENTAGE", "ABSOLUTE_VALUE"])),
    ]))

    static let subscriber = ValueType.object(ObjectSchema([
        ("SubscriptionType", .oneOf(["SNS", "EMAIL"])),
        ("Address", .text),
    ]))

    static let properties = ResourceSchema(
        type: "AWS::Budgets::Budget",
        properties: ObjectSchema([
            ("BudgetLimit", .object(ObjectSchema([("Amount", .number), ("Unit", .text)]))),
            ("TimeUnit", .oneOf(["DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY", "CUSTOM"])),
            // "Quotas and restrictions" (AWS Budgets): 5 notifications a budget, 10 email subscribers and
            // 1 SNS topic a notification.
            ("NotificationsWithSubscribers", .list(.object(ObjectSchema([
                ("Notification", notification),
                ("Subscribers", .list(subscriber, maxCount: 11)),
            ])), maxCount: 5)),
        ]),
        checks: { r in
            guard case .list(let list)? = r.exactValue(at: "/NotificationsWithSubscribers") else { return [] }
            return list.enumerated().compactMap { index, entry in
                notifications.identity(of: entry) == nil
                    ? Diagnostic(r.location(of: "/NotificationsWithSubscribers"), "notification \(index + 1) needs "
                                     + "Notification.NotificationType, ComparisonOperator and Threshold: they name it")
                    : nil
            }
        })

    /// Notifications are owned by type, comparison and threshold.
    static let notifications = KeyedList(key: ["Notification/NotificationType", "Notification/ComparisonOperator",
                                               "Notification/Threshold"])

    static let permissions = KindPermissions(
        read: [describeBudget, describeBudgets, describeNotifications, describeSubscribers, getCallerIdentity],
        write: [updateBudget, createNotification, deleteNotification], unscoped: [getCallerIdentity]) {
        id, _, account in
        "arn:aws:budgets::\(account):budget/\(id)"
    }

    /// `aws_budgets_budget`: its `name`; `limit_amount` and `limit_unit`, `time_unit`.
    static let terraform = TerraformMapping("aws_budgets_budget", idAttribute: "name", [
        .init("/BudgetLimit/Amount", "limit_amount", convert: { $0.string.flatMap(Double.init).map(Value.double) }),
        .init("/BudgetLimit/Unit", "limit_unit"),
        .init("/TimeUnit", "time_unit"),
    ])

    static let missing: Set<String> = ["NotFoundException"]

    /// The account, then the budgets: several from DescribeBudgets (1,000 a page, its `MaxResults`
    /// at most in the API's model), a lone one from DescribeBudget; for each that declares
    /// notifications, DescribeNotificationsForBudget and the subscribers of each.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let client = global(client)
        let account: String
        do {
            account = try await client.callerAccount()
        } catch {
            return Dictionary(targets.map { ($0.id, LiveRead.failed("GetCallerIdentity: \(error)")) },
                              uniquingKeysWith: { a, _ in a })
        }
        let budgets: [String: LiveRead]
        if targets.count > 1 {
            budgets = await Reading.inGroups([targets], missing: missing) { group in
                try await Reading.listed(group, name: \.id) { token in
                    var request: [String: Value] = ["AccountId": .string(account), "MaxResults": .int(pageSize)]
                    request["NextToken"] = token.map(Value.string)
                    let page = try await client.json(describeBudgets, .map(request))
                    let members = (page["Budgets"]?.list ?? []).compactMap { budget -> (String, LiveRead)? in
                        budget["BudgetName"]?.string.map { ($0, .found(live(budget))) }
                    }
                    return (members, page["NextToken"]?.string)
                }
            }
        } else {
            budgets = [:]
        }
        let rest = targets.filter { budgets[$0.id] == nil }
        let described = await Reading.each(rest, missing: missing) { target in
            let answer = try await client.json(describeBudget, .map(["AccountId": .string(account),
                                                                     "BudgetName": .string(target.id)]))
            return answer["Budget"].map { .found(live($0)) } ?? .missing
        }
        let found = budgets.merging(described) { a, _ in a }
        let wanting = targets.filter { target in
            if case .found? = found[target.id] { return target.wants("NotificationsWithSubscribers") }
            return false
        }
        let withNotifications = await Reading.each(wanting, missing: missing) { target in
            guard case .found(var live)? = found[target.id] else { return .missing }
            live["NotificationsWithSubscribers"] = .list(try await notifications(of: target.id, account, client))
            return .found(live)
        }
        return found.merging(withNotifications) { _, new in new }
    }

    /// DescribeBudgets' largest page.
    static let pageSize = 1_000

    static func global(_ client: any AWSAPI) -> any AWSAPI {
        client.region == "us-east-1" ? client : client.inRegion("us-east-1")
    }

    /// A budget in CloudFormation's shape: the limit's amount a number (the API sends a string).
    static func live(_ budget: Value) -> [String: Value] {
        var live: [String: Value] = [:]
        if let limit = budget["BudgetLimit"] {
            live["BudgetLimit"] = .map(["Amount": number(limit["Amount"]) ?? .null, "Unit": limit["Unit"] ?? .null]
                .filter { $0.value != .null })
        }
        live["TimeUnit"] = budget["TimeUnit"]
        return live
    }

    static func number(_ value: Value?) -> Value? {
        switch value {
        case .string(let text)?: Double(text).map(Value.double)
        case let number?: number.number.map(Value.double)
        case nil: nil
        }
    }

    /// Each notification of a budget with its subscribers, CloudFormation's shape. "Quotas and
    /// restrictions": at most 5 notifications, so one page of 100 (the API's largest) holds them all.
    static func notifications(of budget: String, _ account: String, _ client: any AWSAPI) async throws -> [Value] {
        let key: [String: Value] = ["AccountId": .string(account), "BudgetName": .string(budget)]
        let answer = try await client.json(describeNotifications, .map(key.merging(["MaxResults": 100]) { a, _ in a }))
        var entries: [Value] = []
        for notification in answer["Notifications"]?.list ?? [] {
            let request = key.merging(["Notification": notification, "MaxResults": 100]) { a, _ in a }
            let subscribers = try await client.json(describeSubscribers, .map(request))["Subscribers"]?.list ?? []
            var shaped = notification.map ?? [:]
            shaped["Threshold"] = number(notification["Threshold"])
            entries.append(.map(["Notification": .map(shaped.filter { $0.value != .null }),
                                 "Subscribers": .list(subscribers)]))
        }
        return entries
    }

    /// Notifications the repository does not name are not drift, nor are fields it does not set;
    /// the subscribers of a named one compare as a set.
    static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] {
        guard case .list(let desired)? = resource.exactValue(at: "/NotificationsWithSubscribers"),
              case .list(let entries)? = live["NotificationsWithSubscribers"] else { return live }
        var copy = live
        let owned = notifications.owned(desired, live: entries)
        copy["NotificationsWithSubscribers"] = .list(zip(desired, owned).map { want, have in
            // Subscribers in the desired order where live has the same ones: AWS keeps no order.
            guard let wanted = want["Subscribers"]?.list, let present = have["Subscribers"]?.list,
                  Set(wanted) == Set(present), case .map(var fields) = have else { return have }
            fields["Subscribers"] = .list(wanted)
            return .map(fields)
        })
        return copy
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        guard !targets.isEmpty else { return [:] }
        let notified = targets.filter { $0.wants("NotificationsWithSubscribers") }.count
        var calls: [APIOperation: Int] = [getCallerIdentity: 1]
        if targets.count > 1 { calls[describeBudgets] = Reading.batches(targets.count, of: pageSize) }
        if targets.count == 1 { calls[describeBudget] = 1 }
        if notified > 0 { calls[describeNotifications] = notified }
        return calls
    }

    /// UpdateBudget for the limit and period; for notifications, one change that deletes and makes
    /// again each named notification that differs (its subscribers are part of it).
    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        [ChangeBuilder.change(drift, updateBudget, prefixes: ["/BudgetLimit", "/TimeUnit"]) { set in
            if set.keys.contains(where: { $0.hasPrefix("/BudgetLimit/") }) {
                ChangeBuilder.keep("/BudgetLimit/Amount", from: drift.live, in: &set)
                ChangeBuilder.keep("/BudgetLimit/Unit", from: drift.live, in: &set)
            }
        },
         ChangeBuilder.change(drift, createNotification, prefixes: ["/NotificationsWithSubscribers"])]
            .compactMap { $0 }
    }

    public static func apply(_ change: PlannedChange, with client: any AWSAPI) async throws {
        let client = global(client)
        let account = try await client.callerAccount()
        let key: [String: Value] = ["AccountId": .string(account), "BudgetName": .string(change.id)]
        switch change.operation {
        case updateBudget:
            let current = try await client.json(describeBudget, .map(key))["Budget"]
            guard case .map(var budget)? = current else { throw WriteError("budget \(change.id) is gone") }
            // What UpdateBudget does not take back: AWS computes them.
            for field in ["CalculatedSpend", "LastUpdatedTime", "HealthStatus"] { budget[field] = nil }
            if let amount = change.to("/BudgetLimit/Amount")?.number {
                let unit = change.to("/BudgetLimit/Unit") ?? budget["BudgetLimit"]?["Unit"] ?? "USD"
                budget["BudgetLimit"] = .map(["Amount": .string(decimal(amount)), "Unit": unit])
            }
            if let unit = change.to("/TimeUnit") { budget["TimeUnit"] = unit }
            _ = try await client.json(updateBudget, .map(["AccountId": .string(account), "NewBudget": .map(budget)]))
        case createNotification:
            let live = try await notifications(of: change.id, account, client)
            for entry in change.to("/NotificationsWithSubscribers")?.list ?? [] {
                try await replace(entry, live: live, key, client)
            }
        default:
            throw WriteError("ballast cannot perform \(change.call)")
        }
    }

    /// A named notification made as the repository says: left alone when live has it so, deleted
    /// first when live has it otherwise, then created with its subscribers.
    static func replace(_ entry: Value, live: [Value], _ key: [String: Value], _ client: any AWSAPI) async throws {
        guard var wanted = entry["Notification"]?.map, let subscribers = entry["Subscribers"]?.list else {
            throw WriteError("a notification needs Notification and Subscribers to be made")
        }
        let identity = notifications.identity(of: entry)
        let match = live.first { notifications.identity(of: $0) == identity }
        if let match, notifications.cut(match, to: entry) == entry,
           Set(match["Subscribers"]?.list ?? []) == Set(subscribers) { return }
        if let current = match?["Notification"] {
            var old = current.map ?? [:]
            old["Threshold"] = old["Threshold"]?.number.map(Value.double)
            _ = try await client.json(deleteNotification, .map(key.merging(["Notification": .map(old)]) { a, _ in a }))
            // What the repository does not set stays as it was.
            wanted = old.merging(wanted) { _, new in new }
        }
        wanted["ThresholdType"] = wanted["ThresholdType"] ?? "PERCENTAGE"
        _ = try await client.json(createNotification, .map(key.merging([
            "Notification": .map(wanted), "Subscribers": .list(subscribers)]) { a, _ in a }))
    }

    /// A NumericValue: `100`, `12.5` (the API's pattern, `([0-9]*\.)?[0-9]+`).
    static func decimal(_ amount: Double) -> String {
        amount == amount.rounded() && abs(amount) < 1e15 ? String(Int(amount)) : String(amount)
    }

    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        let client = global(client)
        let account = try await client.callerAccount()
        let request: [String: Value] = ["AccountId": .string(account), "MaxResults": .int(pageSize)]
        return try await client.jsonPages(describeBudgets, request, token: "NextToken")
            .flatMap { $0["Budgets"]?.list ?? [] }.compactMap { $0["BudgetName"]?.string }
            .filter { $0.hasPrefix(prefix) }
    }
}
