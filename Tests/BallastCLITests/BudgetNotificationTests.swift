import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A budget's notifications are changed in place (UpdateNotification, CreateSubscriber,
/// DeleteSubscriber), never deleted and made again: a write that fails part way leaves the alert
/// and its subscribers as they were. Against the Budgets stand-in, through a proxy that records
/// each call and refuses the ones a test names.
@Suite struct BudgetNotificationTests {
    static let alert: Value = [
        "Notification": ["NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80,
                         "ThresholdType": "PERCENTAGE"],
        "Subscribers": [["SubscriptionType": "EMAIL", "Address": "ops@example.com"],
                        ["SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:pager"]],
    ]

    /// A loopback proxy in front of moto and the stand-ins: it records the Budgets calls and answers
    /// `InvalidParameterException` to those `refuse` says no to.
    final class Proxy: Sendable {
        let calls = Locked<[String]>([])
        let server: LoopbackHTTPServer

        init(refuse: @escaping @Sendable (_ operation: String, _ body: Value) -> Bool = { _, _ in false }) throws {
            let port = MotoServer.shared.port
            let calls = self.calls
            server = try LoopbackHTTPServer { request in
                let target = request.headers["x-amz-target"] ?? ""
                if target.hasPrefix("AWSBudgetServiceGateway.") {
                    let operation = String(target.dropFirst("AWSBudgetServiceGateway.".count))
                    calls.update { $0.append(operation) }
                    if refuse(operation, (try? JSON.parse(request.body)) ?? .null) {
                        let body = #"{"__type":"InvalidParameterException","Message":"refused by the test"}"#
                        return .response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"],
                                         body: Array(body.utf8))
                    }
                }
                return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
            }
        }

        func apply(_ repo: TempRepository) throws -> Run.Result {
            let environment = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": server.url]) { $1 }
            return try Run.ballast(["apply", "--auto-approve", "--repo", repo.path], environment: environment)
        }
    }

    /// The budget's notifications with their subscribers, as the stand-in keeps them.
    static func notifications(_ budget: String) async throws -> [Value] {
        let client = seeder().client.inRegion("us-east-1")
        let account = Value.string(seeder().account)
        let key: [String: Value] = ["AccountId": account, "BudgetName": .string(budget)]
        var found: [Value] = []
        for notification in try await client.json(.budgets, "DescribeNotificationsForBudget", .map(key))[
            "Notifications"]?
            .list ?? [] {
            let subscribers =
                try await client.json(
                    .budgets, "DescribeSubscribersForNotification",
                    .map(
                        key.merging(["Notification": notification]) { a, _ in a }))["Subscribers"]?.list ?? []
            found.append(.map(["Notification": notification, "Subscribers": .list(subscribers)]))
        }
        return found
    }

    static func repository(_ budget: String, subscribers: String,
                           thresholdType: String = "") throws -> TempRepository {
        try TempRepository.desiredState("""
              - type: AWS::Budgets::Budget
                id: \(budget)
                properties:
                  NotificationsWithSubscribers:
                    - Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80\(
                        thresholdType.isEmpty ? "" : ", ThresholdType: " + thresholdType)}
                      Subscribers: \(subscribers)

            """)
    }

    /// The subscribers the repository adds are created, the ones it drops deleted, the notification
    /// itself updated: no DeleteNotification, and drift is in sync afterwards.
    @Test func aNotificationIsChangedInPlace() async throws {
        let budget = uniqueName("budget")
        try await seeder().create("AWS::Budgets::Budget", id: budget, ["NotificationsWithSubscribers": [Self.alert]])
        let repo = try Self.repository(budget, subscribers: "[{SubscriptionType: EMAIL, Address: oncall@example.com}, "
            + "{SubscriptionType: SNS, Address: \"arn:aws:sns:us-east-1:123456789012:pager\"}]",
                                       thresholdType: "ABSOLUTE_VALUE")
        let plan = try repo.ballast(["plan"])
        // The plan shows the subscriber the write removes.
        #expect(plan.stdout.contains("ops@example.com"), "\(plan.stdout)")
        let proxy = try Proxy()
        let apply = try proxy.apply(repo)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let writes = proxy.calls.current.filter { !$0.hasPrefix("Describe") }
        #expect(writes == ["UpdateNotification", "CreateSubscriber", "DeleteSubscriber"], "\(writes)")
        let live = try await Self.notifications(budget)
        #expect(live.count == 1)
        #expect(live.first?["Notification"]?["ThresholdType"] == "ABSOLUTE_VALUE")
        #expect(Set(live.first?["Subscribers"]?.list ?? []) == [
            ["SubscriptionType": "EMAIL", "Address": "oncall@example.com"],
            ["SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:pager"]])
        let drift = try repo.ballast(["drift"])
        #expect(drift.status == 0, "\(drift.stdout)")
    }

    /// AWS refuses the new subscriber: the alert keeps every subscriber it had, and the error says why.
    @Test func aRefusedSubscriberLeavesTheAlertAsItWas() async throws {
        let budget = uniqueName("budget")
        try await seeder().create("AWS::Budgets::Budget", id: budget, ["NotificationsWithSubscribers": [Self.alert]])
        let repo = try Self.repository(budget, subscribers: "[{SubscriptionType: EMAIL, Address: oncall@example.com}]")
        let proxy = try Proxy { operation, _ in operation.hasPrefix("Create") }
        let apply = try proxy.apply(repo)
        #expect(apply.status == 1)
        #expect((apply.stdout + apply.stderr).contains("refused by the test"), "\(apply.stdout)\(apply.stderr)")
        #expect(!proxy.calls.current.contains("DeleteNotification"), "\(proxy.calls.current)")
        #expect(try await Self.notifications(budget) == [Self.alert])
    }

    /// AWS keeps one SNS topic a notification, so a new topic replaces the old one: when the new one is
    /// refused, the old one is put back.
    @Test func aRefusedTopicPutsTheOldOneBack() async throws {
        let budget = uniqueName("budget")
        try await seeder().create("AWS::Budgets::Budget", id: budget, ["NotificationsWithSubscribers": [Self.alert]])
        let repo = try Self.repository(budget, subscribers: "[{SubscriptionType: EMAIL, Address: ops@example.com}, "
            + "{SubscriptionType: SNS, Address: \"arn:aws:sns:us-east-1:123456789012:new-pager\"}]")
        let proxy = try Proxy { operation, body in
            operation == "CreateSubscriber" && body["Subscriber"]?["Address"]?.string?.hasSuffix(":new-pager") == true
        }
        let apply = try proxy.apply(repo)
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        let writes = proxy.calls.current.filter { !$0.hasPrefix("Describe") }
        #expect(writes == ["DeleteSubscriber", "CreateSubscriber", "CreateSubscriber"], "\(writes)")
        #expect(Set(try await Self.notifications(budget).first?["Subscribers"]?.list ?? [])
            == Set(Self.alert["Subscribers"]?.list ?? []))
    }
}
