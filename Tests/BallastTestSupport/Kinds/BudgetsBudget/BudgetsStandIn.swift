import BallastCore
import Foundation

/// AWS Budgets for the tests, on a loopback port: moto has no `UpdateBudget` and no subscribers
/// (`DescribeSubscribersForNotification`), so the operations ballast and the seeder call are
/// answered here, as botocore's model (budgets 2016-10-20) and the API reference describe them:
/// JSON 1.1, `AWSBudgetServiceGateway.<Operation>`, errors as `{"__type", "Message"}` with HTTP
/// 400 (`NotFoundException`, `DuplicateRecordException`, `InvalidParameterException`). A request
/// signed for another service or region than `budgets`/`us-east-1` is refused, as AWS's global
/// endpoint does. What ballast sends is checked against the model by the contract checker
/// (`RequestRecorder` records it on its way here, in front of `MotoServer`).
public final class BudgetsStandIn: Sendable {
    struct Budget: Sendable {
        var document: [String: Value]
        var notifications: [(notification: [String: Value], subscribers: [Value])]
    }

    /// Budgets by account, then name.
    private let budgets = Locked<[String: [String: Budget]]>([:])

    /// The answer to a Budgets request (`AWSBudgetServiceGateway.*`); nil for any other.
    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        guard (request.headers["x-amz-target"] ?? "").hasPrefix("AWSBudgetServiceGateway.") else { return nil }
        return Self.answer(request, budgets)
    }

    static func answer(_ request: LoopbackHTTPServer.Request, _ budgets: Locked<[String: [String: Budget]]>)
        -> LoopbackHTTPServer.Reply {
        let authorization = request.headers["authorization"] ?? ""
        guard authorization.contains("/us-east-1/budgets/aws4_request") else {
            return error(403, "InvalidSignatureException", "the request is not signed for budgets in us-east-1")
        }
        let target = request.headers["x-amz-target"] ?? ""
        guard target.hasPrefix("AWSBudgetServiceGateway."), case .map(let input)? = try? JSON.parse(request.body)
        else { return error(400, "InvalidParameterException", "not a Budgets request") }
        guard let account = input["AccountId"]?.string else {
            return error(400, "InvalidParameterException", "AccountId is required")
        }
        let operation = String(target.dropFirst("AWSBudgetServiceGateway.".count))
        return budgets.update { all in
            var mine = all[account] ?? [:]
            defer { all[account] = mine }
            return perform(operation, input, &mine)
        }
    }

    static func perform(_ operation: String, _ input: [String: Value], _ budgets: inout [String: Budget])
        -> LoopbackHTTPServer.Reply {
        let name = input["BudgetName"]?.string ?? input["Budget"]?["BudgetName"]?.string
            ?? input["NewBudget"]?["BudgetName"]?.string ?? ""
        func notFound() -> LoopbackHTTPServer.Reply {
            error(400, "NotFoundException", "Unable to get budget: \(name) - the budget doesn't exist.")
        }
        switch operation {
        case "CreateBudget":
            guard budgets[name] == nil else {
                return error(400, "DuplicateRecordException",
                             "Error creating budget: \(name) - the budget already exists.")
            }
            let notifications = (input["NotificationsWithSubscribers"]?.list ?? []).compactMap { entry in
                entry["Notification"]?.map.map { ($0, entry["Subscribers"]?.list ?? []) }
            }
            budgets[name] = Budget(document: stored(input["Budget"]?.map ?? [:]), notifications: notifications)
            return ok([:])
        case "DeleteBudget":
            guard budgets.removeValue(forKey: name) != nil else { return notFound() }
            return ok([:])
        case "DescribeBudget":
            guard let budget = budgets[name] else { return notFound() }
            return ok(["Budget": .map(budget.document)])
        case "DescribeBudgets":
            let names = budgets.keys.sorted()
            let start = Int(input["NextToken"]?.string ?? "0") ?? 0
            let size = input["MaxResults"]?.int ?? 100
            let page = names.dropFirst(start).prefix(size)
            var answer: [String: Value] = ["Budgets": .list(page.compactMap { budgets[$0].map { .map($0.document) } })]
            if start + size < names.count { answer["NextToken"] = .string(String(start + size)) }
            return ok(answer)
        case "UpdateBudget":
            guard let existing = budgets[name] else { return notFound() }
            budgets[name]?.document = stored(input["NewBudget"]?.map ?? [:])
            budgets[name]?.document["CalculatedSpend"] = existing.document["CalculatedSpend"]
            return ok([:])
        case "DescribeNotificationsForBudget":
            guard let budget = budgets[name] else { return notFound() }
            return ok(["Notifications": .list(budget.notifications.map { .map($0.notification) })])
        case "DescribeSubscribersForNotification":
            guard let budget = budgets[name] else { return notFound() }
            guard let wanted = input["Notification"]?.map,
                  let found = budget.notifications.first(where: { same($0.notification, wanted) }) else {
                return error(400, "NotFoundException", "Unable to get notification: the notification doesn't exist.")
            }
            return ok(["Subscribers": .list(found.subscribers)])
        case "CreateNotification":
            guard budgets[name] != nil else { return notFound() }
            guard let notification = input["Notification"]?.map, let subscribers = input["Subscribers"]?.list,
                  !subscribers.isEmpty else {
                return error(400, "InvalidParameterException", "Notification and Subscribers are required")
            }
            if let refusal = refusal(subscribers) { return refusal }
            if budgets[name]!.notifications.contains(where: { same($0.notification, notification) }) {
                return error(400, "DuplicateRecordException", "the notification already exists")
            }
            budgets[name]!.notifications.append((notification, subscribers))
            return ok([:])
        case "DeleteNotification":
            guard budgets[name] != nil else { return notFound() }
            guard let notification = input["Notification"]?.map,
                  let index = budgets[name]!.notifications.firstIndex(where: { same($0.notification, notification) })
            else { return error(400, "NotFoundException", "Unable to delete notification: it doesn't exist.") }
            budgets[name]!.notifications.remove(at: index)
            return ok([:])
        case "UpdateNotification":
            guard budgets[name] != nil else { return notFound() }
            guard let old = input["OldNotification"]?.map, let new = input["NewNotification"]?.map,
                  let index = budgets[name]!.notifications.firstIndex(where: { same($0.notification, old) }) else {
                return error(400, "NotFoundException", "Unable to update notification: it doesn't exist.")
            }
            if !same(old, new), budgets[name]!.notifications.contains(where: { same($0.notification, new) }) {
                return error(400, "DuplicateRecordException", "the notification already exists")
            }
            budgets[name]!.notifications[index].notification = new
            return ok([:])
        case "CreateSubscriber", "DeleteSubscriber":
            guard budgets[name] != nil else { return notFound() }
            guard let notification = input["Notification"]?.map, let subscriber = input["Subscriber"],
                  let index = budgets[name]!.notifications.firstIndex(where: { same($0.notification, notification) })
            else { return error(400, "NotFoundException", "Unable to find the notification.") }
            var subscribers = budgets[name]!.notifications[index].subscribers
            if operation == "CreateSubscriber" {
                guard !subscribers.contains(subscriber) else {
                    return error(400, "DuplicateRecordException", "the subscriber already exists")
                }
                subscribers.append(subscriber)
                if let refusal = refusal(subscribers) { return refusal }
            } else {
                guard let at = subscribers.firstIndex(of: subscriber) else {
                    return error(400, "NotFoundException", "Unable to delete subscriber: it doesn't exist.")
                }
                // "A notification must have at least one subscriber": AWS refuses to remove the last.
                guard subscribers.count > 1 else {
                    return error(400, "InvalidParameterException", "a notification keeps at least one subscriber")
                }
                subscribers.remove(at: at)
            }
            budgets[name]!.notifications[index].subscribers = subscribers
            return ok([:])
        default:
            return error(400, "InvalidParameterException", "the stand-in does not answer \(operation)")
        }
    }

    /// What AWS refuses of a notification's subscribers ("Quotas and restrictions": 10 e-mail
    /// addresses and 1 SNS topic; an SNS subscriber's address is a topic ARN).
    static func refusal(_ subscribers: [Value]) -> LoopbackHTTPServer.Reply? {
        let sns = subscribers.filter { $0["SubscriptionType"] == "SNS" }
        if sns.count > 1 || subscribers.filter({ $0["SubscriptionType"] == "EMAIL" }).count > 10 {
            return error(400, "InvalidParameterException", "a notification has at most 10 e-mail subscribers and 1 "
                + "SNS topic")
        }
        if let bad = sns.first(where: { !($0["Address"]?.string ?? "").hasPrefix("arn:aws:sns:") }) {
            return error(400, "InvalidParameterException", "Invalid SNS topic ARN: \(bad["Address"]?.string ?? "")")
        }
        return nil
    }

    /// A notification is the one its type, comparison, threshold and threshold type name.
    static func same(_ a: [String: Value], _ b: [String: Value]) -> Bool {
        ["NotificationType", "ComparisonOperator", "Threshold"].allSatisfy { a[$0] == b[$0] }
            && (a["ThresholdType"] ?? "PERCENTAGE") == (b["ThresholdType"] ?? "PERCENTAGE")
    }

    /// A budget as AWS keeps it: with its spend so far and when it last changed.
    static func stored(_ budget: [String: Value]) -> [String: Value] {
        var document = budget
        document["CalculatedSpend"] = document["CalculatedSpend"]
            ?? ["ActualSpend": ["Amount": "0", "Unit": budget["BudgetLimit"]?["Unit"] ?? "USD"]]
        document["LastUpdatedTime"] = .double(Date().timeIntervalSince1970.rounded())
        return document
    }

    static func ok(_ answer: [String: Value]) -> LoopbackHTTPServer.Reply { AWSWire.json("1.1", answer) }

    static func error(_ status: Int, _ code: String, _ message: String) -> LoopbackHTTPServer.Reply {
        AWSWire.jsonError("1.1", code, message, status: status)
    }
}
