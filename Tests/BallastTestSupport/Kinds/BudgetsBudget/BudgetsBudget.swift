import BallastAWS
import BallastCore
import Foundation

/// `AWS::Budgets::Budget` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let budgetsBudget = KindMaterial(
        type: "AWS::Budgets::Budget",
        seed: {
            try await $0.budget($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("budget") },
            live: [
                "BudgetLimit": ["Amount": 100, "Unit": "USD"],
                "NotificationsWithSubscribers": [
                    [
                        "Notification": [
                            "NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN",
                            "Threshold": 80, "ThresholdType": "PERCENTAGE",
                        ],
                        "Subscribers": [["SubscriptionType": "EMAIL", "Address": "ops@example.com"]],
                    ]
                ],
            ],
            desired: "{BudgetLimit: {Amount: 250}, TimeUnit: MONTHLY, NotificationsWithSubscribers: ["
                + "{Notification: {NotificationType: ACTUAL, ComparisonOperator: GREATER_THAN, Threshold: 80}, "
                + "Subscribers: [{SubscriptionType: EMAIL, Address: oncall@example.com}]}, "
                + "{Notification: {NotificationType: FORECASTED, ComparisonOperator: GREATER_THAN, Threshold: 100}, "
                + "Subscribers: [{SubscriptionType: SNS, Address: \"arn:aws:sns:us-east-1:123456789012:budget\"}]}]}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::Budgets::Budget", "bench-budget-\(i)",
                ["BudgetLimit": ["Amount": 500, "Unit": "USD"], "TimeUnit": "MONTHLY"],
                "{BudgetLimit: {Amount: \(d ? 750 : 500), Unit: USD}, TimeUnit: MONTHLY}", drifted: d)
        })
}

extension LiveSeeder {
    /// A monthly cost budget (the stand-in's, see `BudgetsStandIn`) with the limit, period and
    /// notifications the properties give; seeding again over one replaces it.
    func budget(_ name: String, _ p: [String: Value]) async throws {
        let client = client.inRegion("us-east-1")
        let limit = p["BudgetLimit"] ?? ["Amount": 100, "Unit": "USD"]
        let budget: Value = [
            "BudgetName": .string(name), "BudgetType": "COST", "TimeUnit": p["TimeUnit"] ?? "MONTHLY",
            "BudgetLimit": [
                "Amount": .string(limit["Amount"]?.description ?? "100"),
                "Unit": limit["Unit"] ?? "USD",
            ],
        ]
        let account = Value.string(self.account)
        _ = try? await client.json(
            .budgets, "DeleteBudget", .map(["AccountId": account, "BudgetName": .string(name)]))
        _ = try await client.json(
            .budgets, "CreateBudget",
            .map([
                "AccountId": account, "Budget": budget,
                "NotificationsWithSubscribers": p["NotificationsWithSubscribers"] ?? .list([]),
            ]))
    }
}
