import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `AWS::Budgets::Budget` against the Budgets stand-in: the global service signed for us-east-1
/// from an environment elsewhere, notifications owned by type, comparison and threshold, and a
/// write that keeps what the repository does not name.
@Suite struct CostBudgetTests {
    static let eighty: Value = ["NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                                "Threshold": 80, "ThresholdType": "PERCENTAGE"]
    static let forecast: Value = ["NotificationType": "FORECASTED", "ComparisonOperator": "GREATER_THAN",
                                  "Threshold": 100, "ThresholdType": "PERCENTAGE"]
    static let live: [String: Value] = [
        "BudgetLimit": ["Amount": 100, "Unit": "USD"], "TimeUnit": "MONTHLY",
        "NotificationsWithSubscribers": [
            ["Notification": eighty, "Subscribers": [["SubscriptionType": "EMAIL", "Address": "a@example.com"],
                                                     ["SubscriptionType": "EMAIL", "Address": "b@example.com"]]],
            ["Notification": forecast, "Subscribers": [["SubscriptionType": "EMAIL", "Address": "cfo@example.com"]]],
        ],
    ]

    /// An environment in eu-west-1: Budgets is still signed for us-east-1 (the stand-in refuses
    /// anything else).
    static let environment = "region: eu-west-1\naccount: \"123456789012\"\n"

    static func stored(_ name: String) async throws -> (budget: Value?, notifications: [Value]) {
        let client = seeder().client.inRegion("us-east-1")
        let key: [String: Value] = ["AccountId": "123456789012", "BudgetName": .string(name)]
        let budget = try await client.json(.budgets, "DescribeBudget", .map(key))["Budget"]
        var notifications: [Value] = []
        let listed = try await client.json(.budgets, "DescribeNotificationsForBudget", .map(key))
        for notification in listed["Notifications"]?.list ?? [] {
            let subscribers = try await client.json(
                .budgets, "DescribeSubscribersForNotification",
                .map(key.merging(["Notification": notification]) { a, _ in a }))
            notifications.append([
                "Notification": notification, "Subscribers": subscribers["Subscribers"] ?? .list([]),
            ])
        }
        return (budget, notifications)
    }

    /// Notifications the repository does not name are not drift; subscribers compare as a set;
    /// the limit is a number though the API sends a string; a missing budget is DELETED; several
    /// budgets come from one DescribeBudgets.
    @Test func driftComparesOwnedNotificationsAndTheLimit() async throws {
        let (sync, drifted, gone) = (uniqueName("budget"), uniqueName("budget"), uniqueName("budget"))
        try await seeder().create("AWS::Budgets::Budget", id: sync, Self.live)
        try await seeder().create("AWS::Budgets::Budget", id: drifted, Self.live)
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Budgets::Budget, id: \(sync),
                 properties: {BudgetLimit: {Amount: 100}, NotificationsWithSubscribers: [
                   {Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80},
                    Subscribers: [{SubscriptionType: EMAIL, Address: b@example.com},
                                  {SubscriptionType: EMAIL, Address: a@example.com}]}]}}
              - {type: AWS::Budgets::Budget, id: \(drifted),
                 properties: {BudgetLimit: {Amount: 50, Unit: USD}, TimeUnit: MONTHLY, NotificationsWithSubscribers: [
                   {Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80},
                    Subscribers: [{SubscriptionType: EMAIL, Address: a@example.com}]}]}}
              - {type: AWS::Budgets::Budget, id: \(gone), properties: {BudgetLimit: {Amount: 10}}}

            """, environment: Self.environment)
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(planned.stdout.contains("  budgets:DescribeBudgets "), "\(planned.stdout)")
        #expect(!planned.stdout.contains("budgets:DescribeBudget "), "\(planned.stdout)")
        let result = try repo.ballast(["drift", "--output", "json"])
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        let run = DriftRun(status: result.status, report: try JSON.parse(result.stdout), stderr: result.stderr)
        #expect(run.status(of: sync) == "IN_SYNC", "\(run.differences(of: sync))")
        #expect(run.differences(of: drifted) == [
            difference("/BudgetLimit/Amount", 50, 100),
            difference("/NotificationsWithSubscribers/0/Subscribers/1", nil,
                       ["SubscriptionType": "EMAIL", "Address": "b@example.com"], "ADD"),
        ])
        #expect(run.status(of: gone) == "DELETED")
    }

    /// Apply raises the limit from the live budget (its type and unit kept), makes the named
    /// notification again with the repository's subscribers, adds a notification live lacks, and
    /// leaves the unnamed one as it was.
    @Test func applyReplacesOnlyNamedNotifications() async throws {
        let name = uniqueName("budget")
        try await seeder().create("AWS::Budgets::Budget", id: name, Self.live)
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Budgets::Budget, id: \(name),
                 properties: {BudgetLimit: {Amount: 250.5}, NotificationsWithSubscribers: [
                   {Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80},
                    Subscribers: [{SubscriptionType: EMAIL, Address: oncall@example.com}]},
                   {Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 120},
                    Subscribers: [{SubscriptionType: SNS, Address: "arn:aws:sns:us-east-1:123456789012:budget"}]}]}}

            """, environment: Self.environment)
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let (budget, notifications) = try await Self.stored(name)
        #expect(budget?["BudgetLimit"] == ["Amount": "250.5", "Unit": "USD"])
        #expect(budget?["BudgetType"] == "COST")
        func subscribers(_ threshold: Int, _ type: String = "ACTUAL") -> [Value]? {
            notifications.first { $0["Notification"]?["Threshold"] == .int(threshold)
                && $0["Notification"]?["NotificationType"] == .string(type) }?["Subscribers"]?.list
        }
        #expect(subscribers(80) == [["SubscriptionType": "EMAIL", "Address": "oncall@example.com"]])
        let topic: Value = ["SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:123456789012:budget"]
        #expect(subscribers(120) == [topic])
        #expect(subscribers(100, "FORECASTED") == [["SubscriptionType": "EMAIL", "Address": "cfo@example.com"]])
        #expect(notifications.count == 3)
    }

    /// The account guard and the Budgets reads and writes name one account: STS is asked once a
    /// run, not once by the guard and again by every Budgets read and write.
    @Test func theAccountIsAskedOnceARun() async throws {
        let name = uniqueName("budget")
        try await seeder().create("AWS::Budgets::Budget", id: name, Self.live)
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Budgets::Budget, id: \(name), "
                + "properties: {BudgetLimit: {Amount: 300}, TimeUnit: MONTHLY, "
                + "NotificationsWithSubscribers: [{Notification: {NotificationType: ACTUAL, ComparisonOperator: "
                + "GREATER_THAN, Threshold: 80}, "
                + "Subscribers: [{SubscriptionType: EMAIL, Address: x@example.com}]}]}}\n",
            environment: Self.environment)
        let asked = Locked(0)
        let counter = try LoopbackHTTPServer { request in
            if String(decoding: request.body, as: UTF8.self).contains("Action=GetCallerIdentity") {
                asked.update { $0 += 1 }
            }
            return LoopbackHTTPServer.forward(request, toPort: MotoServer.shared.port).map { .raw($0) } ?? .drop
        }
        let apply = try repo.ballast(["apply", "--auto-approve", "--no-wait"], ["AWS_ENDPOINT_URL": counter.url])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        // The plan's read and the apply's writes: one process, one question.
        #expect(asked.current == 1)
        let planned = try repo.ballast(["drift", "--dry-run-reads"])
        let line = planned.stdout.split(separator: "\n").first { $0.contains("sts:GetCallerIdentity") }
        #expect(line?.split(separator: " ").last == "1", "\(planned.stdout)")
    }
}
