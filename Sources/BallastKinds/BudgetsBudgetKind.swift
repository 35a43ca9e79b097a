import BallastCore

/// Cost budgets, identified by name in the credentials' account: the limit and period, and the
/// notifications the repository names (by type, comparison and threshold) with their subscribers.
/// AWS Budgets is global: every call goes to its one endpoint, signed for us-east-1.
public struct BudgetsBudgetKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, plannedReads: plannedReads, changes: changes(for:), normalize: normalized(_:for:))

    /// What else changes what it owns: a notification or subscriber changed apart, or the budget deleted. Watched
    /// for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.budgets, "DeleteNotification", iamAction: "budgets:ModifyBudget"),
        APIOperation(.budgets, "UpdateSubscriber", iamAction: "budgets:ModifyBudget"),
        APIOperation(.budgets, "DeleteBudget", iamAction: "budgets:ModifyBudget"),
    ]

    /// IAM authorizes every read as `budgets:ViewBudget` and every write as `budgets:ModifyBudget`
    /// ("Actions, resources, and condition keys for AWS Budget Service").
    static let describeBudget = APIOperation(.budgets, "DescribeBudget", iamAction: "budgets:ViewBudget")
    static let describeBudgets = APIOperation(.budgets, "DescribeBudgets", iamAction: "budgets:ViewBudget")
    static let describeNotifications = APIOperation(.budgets, "DescribeNotificationsForBudget",
                                                    iamAction: "budgets:ViewBudget")
    static let describeSubscribers = APIOperation(.budgets, "DescribeSubscribersForNotification",
                                                  iamAction: "budgets:ViewBudget")
    static let updateBudget = APIOperation(.budgets, "UpdateBudget", iamAction: "budgets:ModifyBudget")
    /// A named notification is changed in place: its threshold type by UpdateNotification, its
    /// subscribers one by one; CreateNotification makes one live lacks. Nothing is deleted and made
    /// again, so a failed write never leaves a budget without the alert it had.
    static let updateNotification = APIOperation(.budgets, "UpdateNotification", iamAction: "budgets:ModifyBudget")
    static let createNotification = APIOperation(.budgets, "CreateNotification", iamAction: "budgets:ModifyBudget")
    static let createSubscriber = APIOperation(.budgets, "CreateSubscriber", iamAction: "budgets:ModifyBudget")
    static let deleteSubscriber = APIOperation(.budgets, "DeleteSubscriber", iamAction: "budgets:ModifyBudget")
    /// Every Budgets call names the account: the credentials' own, which the session asks STS for
    /// once (`AWSAPI.callerAccount`), shared with the account guard.
    static let getCallerIdentity = APIOperation(.sts, "GetCallerIdentity")

    static let notification = ValueType.object(ObjectSchema([
        ("NotificationType", .oneOf(["ACTUAL", "FORECASTED"])),
        ("ComparisonOperator", .oneOf(["GREATER_THAN", "LESS_THAN", "EQUAL_TO"])),
        // botocore's budgets model, `NotificationThreshold`: a double from 0 to 15,000,000,000,000.
        ("Threshold", .number(0...15_000_000_000_000)),
        ("ThresholdType", .oneOf(["PERCENTAGE", "ABSOLUTE_VALUE"])),
    ]))

    static let subscriber = ValueType.object(ObjectSchema([
        ("SubscriptionType", .oneOf(["SNS", "EMAIL"])),
        ("Address", .text),
    ]))

    static let properties = ResourceSchema(
        type: "AWS::Budgets::Budget",
        properties: ObjectSchema([
            // botocore's `NumericValue` (`([0-9]*\.)?[0-9]+`, no sign) and `UnitValue` (at least 1 character).
            ("BudgetLimit", .object(ObjectSchema([("Amount", .number(0...Double.greatestFiniteMagnitude)),
                                                  ("Unit", .string(StringFormat("at least 1 character") {
                                                      !$0.isEmpty
                                                  }))]))),
            ("TimeUnit", .oneOf(["DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY", "CUSTOM"])),
            // "Quotas and restrictions" (AWS Budgets): 5 notifications a budget, 10 email subscribers and
            // 1 SNS topic a notification; botocore's `Subscribers`: 1 to 11 entries.
            ("NotificationsWithSubscribers", .list(.object(ObjectSchema([
                ("Notification", notification),
                ("Subscribers", .list(subscriber, maxCount: 11)),
            ])), maxCount: 5)),
        ]),
        checks: checks)

    /// Each notification names itself once and has subscribers AWS takes: 1 to 11, at most 10 e-mail
    /// addresses and 1 SNS topic (by its ARN).
    static func checks(_ r: DesiredResource) -> [Diagnostic] {
        let path = "/NotificationsWithSubscribers"
        guard case .list(let list)? = r.exactValue(at: path) else { return [] }
        var found: [Diagnostic] = []
        for (index, entry) in list.enumerated() {
            let at = r.location(of: PropertyPath.appending(path, index: index))
            if notifications.identity(of: entry) == nil {
                found.append(Diagnostic(at, "notification \(index + 1) needs Notification.NotificationType, "
                    + "ComparisonOperator and Threshold: they name it"))
            }
            guard let subscribers = entry["Subscribers"]?.list else {
                found.append(Diagnostic(at, "notification \(index + 1) needs Subscribers: AWS keeps no notification "
                    + "without one"))
                continue
            }
            let email = subscribers.filter { $0["SubscriptionType"] == "EMAIL" }
            let sns = subscribers.filter { $0["SubscriptionType"] == "SNS" }
            if subscribers.isEmpty {
                found.append(Diagnostic(at, "notification \(index + 1) has no subscribers: AWS takes 1 to 11"))
            }
            if email.count > maxEmail {
                found.append(Diagnostic(at, "notification \(index + 1) has \(email.count) e-mail subscribers: AWS "
                    + "allows \(maxEmail) a notification"))
            }
            if sns.count > maxSNS {
                found.append(Diagnostic(at, "notification \(index + 1) has \(sns.count) SNS subscribers: AWS allows "
                    + "\(maxSNS) topic a notification"))
            }
            for subscriber in subscribers {
                guard let type = subscriber["SubscriptionType"]?.string, let address = subscriber["Address"]?.string
                else {
                    found.append(Diagnostic(at, "notification \(index + 1): a subscriber needs SubscriptionType "
                        + "and Address"))
                    continue
                }
                if type == "SNS", ARN(address)?.service != "sns" {
                    found.append(Diagnostic(at, "notification \(index + 1): an SNS subscriber's Address is a topic "
                        + "ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC), not \(UntrustedText.line(address))"))
                }
                if type == "EMAIL", !isEmail(address) {
                    found.append(Diagnostic(at, "notification \(index + 1): \(UntrustedText.line(address)) is not "
                        + "an e-mail address"))
                }
            }
        }
        return found + notifications.duplicates(in: r, at: path, what: "notification")
    }

    /// "Quotas and restrictions" (AWS Budgets User Guide): "10 email subscribers" and "1 SNS topic"
    /// a notification.
    static let maxEmail = 10
    static let maxSNS = 1

    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }

    /// Notifications are owned by type, comparison and threshold.
    static let notifications = KeyedList(key: ["Notification/NotificationType", "Notification/ComparisonOperator",
                                               "Notification/Threshold"])

    static let permissions = KindPermissions(
        read: [describeBudget, describeBudgets, describeNotifications, describeSubscribers, getCallerIdentity],
        write: [updateBudget, updateNotification, createNotification, createSubscriber, deleteSubscriber],
        unscoped: [getCallerIdentity]) {
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

    /// UpdateBudget for the limit and period; for notifications, one change that updates each named
    /// notification that differs in place (UpdateNotification, CreateSubscriber, DeleteSubscriber),
    /// or makes one live lacks.
    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        [ChangeBuilder.change(drift, updateBudget, prefixes: ["/BudgetLimit", "/TimeUnit"]) { set in
            if set.keys.contains(where: { $0.hasPrefix("/BudgetLimit/") }) {
                ChangeBuilder.keep("/BudgetLimit/Amount", from: drift.live, in: &set)
                ChangeBuilder.keep("/BudgetLimit/Unit", from: drift.live, in: &set)
            }
        },
         ChangeBuilder.change(drift, updateNotification, prefixes: ["/NotificationsWithSubscribers"])]
            .compactMap { $0 }
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        updateBudget: write,
        updateNotification: write,
        createNotification: write,
    ]
    /// Made inside a notification's write, never named by a plan.
    public static let callsWithin: [APIOperation] = [createSubscriber, deleteSubscriber]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
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
        case updateNotification, createNotification:
            let live = try await notifications(of: change.id, account, client)
            for entry in change.to("/NotificationsWithSubscribers")?.list ?? [] {
                try await update(entry, live: live, key, client)
            }
        default:
            throw WriteError("ballast cannot perform \(change.call)")
        }
    }

    /// A named notification made as the repository says, in place: left alone when live has it so;
    /// made with its subscribers when live lacks it; else its threshold type updated, the subscribers
    /// it lacks added, then the ones the repository does not list removed. A topic replacing a topic
    /// (AWS keeps one a notification) removes the old one first and puts it back when the new one fails.
    static func update(_ entry: Value, live: [Value], _ key: [String: Value], _ client: any AWSAPI) async throws {
        guard let wanted = entry["Notification"]?.map, let subscribers = entry["Subscribers"]?.list,
              !subscribers.isEmpty else {
            throw WriteError("a notification needs Notification and at least one subscriber to be written")
        }
        let identity = notifications.identity(of: entry)
        guard let match = live.first(where: { notifications.identity(of: $0) == identity }),
              case .map(var old)? = match["Notification"] else {
            var made = wanted
            made["ThresholdType"] = made["ThresholdType"] ?? "PERCENTAGE"
            _ = try await client.json(createNotification, .map(key.merging([
                "Notification": .map(made), "Subscribers": .list(subscribers)]) { a, _ in a }))
            return
        }
        old["Threshold"] = old["Threshold"]?.number.map(Value.double)
        // What the repository does not set stays as it was.
        let new = old.merging(wanted) { _, new in new }
        if new != old {
            _ = try await client.json(updateNotification, .map(key.merging([
                "OldNotification": .map(old), "NewNotification": .map(new)]) { a, _ in a }))
        }
        let present = match["Subscribers"]?.list ?? []
        let added = subscribers.filter { !present.contains($0) }
        var removed = present.filter { !subscribers.contains($0) }
        let scope = key.merging(["Notification": .map(new)]) { a, _ in a }
        func call(_ operation: APIOperation, _ subscriber: Value) async throws {
            _ = try await client.json(operation, .map(scope.merging(["Subscriber": subscriber]) { a, _ in a }))
        }
        for subscriber in added {
            let displaced = subscriber["SubscriptionType"] == "SNS"
                ? removed.first { $0["SubscriptionType"] == "SNS" } : nil
            guard let displaced else {
                try await call(createSubscriber, subscriber)
                continue
            }
            try await call(deleteSubscriber, displaced)
            removed.removeAll { $0 == displaced }
            do {
                try await call(createSubscriber, subscriber)
            } catch {
                // Put the topic back: the notification keeps the subscriber it had.
                do { try await call(createSubscriber, displaced) } catch let restore {
                    throw WriteError("the new SNS subscriber was refused (\(error)) and the old one could not be "
                        + "put back (\(restore)): the notification has lost \(displaced["Address"]?.string ?? "it")")
                }
                throw error
            }
        }
        for subscriber in removed { try await call(deleteSubscriber, subscriber) }
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
