import BallastAWS
import BallastCore
import Foundation

/// `AWS::Events::Rule` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let eventsRule = KindMaterial(
        type: "AWS::Events::Rule",
        seed: {
            try await $0.eventsRule($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("rule") }, live: ["State": "DISABLED", "ScheduleExpression": "rate(2 hours)"],
            desired: "{State: ENABLED, ScheduleExpression: rate(1 hour)}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::Events::Rule", "bench-rule-\(i)", ["State": "ENABLED", "ScheduleExpression": "rate(1 hour)"],
                "{State: \(d ? "DISABLED" : "ENABLED"), ScheduleExpression: rate(1 hour)}", drifted: d)
        })
}

extension LiveSeeder {
    func eventsRule(_ name: String, _ p: [String: Value]) async throws {
        var rule: [String: Value] = [
            "Name": .string(name), "ScheduleExpression": p["ScheduleExpression"] ?? "rate(1 hour)",
        ]
        rule["State"] = p["State"]
        _ = try await client.json(.events, "PutRule", .map(rule))
    }
}
