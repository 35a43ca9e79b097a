import BallastAWS
import BallastCore
import Foundation

/// `AWS::WAFv2::WebACL` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let wafv2WebACL = KindMaterial(
        type: "AWS::WAFv2::WebACL",
        seed: { try await $0.wafWebACL($1, $2) },
        // The seeder names the ACL; AWS picks its id: the case runs on `NAME|ID|REGIONAL` as seeded.
        apply: ApplyCase(
            id: { uniqueName("acl") },
            live: [
                "DefaultAction": ["Allow": [:]],
                "Rules": [
                    ["Name": "per-ip", "Statement": ["RateBasedStatement": ["Limit": 2_000]]],
                    ["Name": "other", "Action": ["Count": [:]]],
                ],
            ],
            desired: "{DefaultAction: {Block: {}}, Rules: [{Name: per-ip, Action: {Block: {}}, "
                + "Statement: {RateBasedStatement: {Limit: 500, EvaluationWindowSec: 60}}}]}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::WAFv2::WebACL", "bench-acl-\(i)",
                [
                    "DefaultAction": ["Allow": [:]],
                    "Rules": [["Name": "per-ip", "Statement": ["RateBasedStatement": ["Limit": 2_000]]]],
                ],
                "{DefaultAction: {Allow: {}}, Rules: [{Name: per-ip, "
                    + "Statement: {RateBasedStatement: {Limit: \(d ? 1000 : 2000)}}}]}",
                drifted: d)
        })
}

extension LiveSeeder {
    /// A REGIONAL web ACL named `name` (or the ACL an id `NAME|ID|SCOPE` names) with the rules the
    /// properties give, each completed as a template would: a priority, a rate-based statement
    /// aggregating by IP (a statement of another type is kept as given), CloudWatch metrics. Returns
    /// `NAME|ID|REGIONAL`. Seeding again over an
    /// existing ACL of that name updates it.
    func wafWebACL(_ id: String, _ p: [String: Value]) async throws -> String {
        let name = String(id.split(separator: "|").first ?? "")
        let rules: [Value] = (p["Rules"]?.list ?? []).enumerated().map { index, rule in
            let ruleName = rule["Name"] ?? .string("rule-\(index)")
            var rate = rule["Statement"]?["RateBasedStatement"]?.map ?? [:]
            rate["Limit"] = rate["Limit"] ?? 2_000
            rate["AggregateKeyType"] = rate["AggregateKeyType"] ?? "IP"
            let sampled = rule["VisibilityConfig"]?["SampledRequestsEnabled"] ?? true
            let statement: Value =
                rule["Statement"]?["RateBasedStatement"] == nil && rule["Statement"] != nil
                ? rule["Statement"]! : ["RateBasedStatement": .map(rate)]
            return .map([
                "Name": ruleName, "Priority": .int(index), "Action": rule["Action"] ?? ["Block": [:]],
                "Statement": statement,
                "VisibilityConfig": [
                    "SampledRequestsEnabled": sampled, "CloudWatchMetricsEnabled": true,
                    "MetricName": ruleName,
                ],
            ])
        }
        let document: [String: Value] = [
            "Name": .string(name), "Scope": "REGIONAL", "DefaultAction": p["DefaultAction"] ?? ["Allow": [:]],
            "Rules": .list(rules),
            "VisibilityConfig": [
                "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true,
                "MetricName": .string(name),
            ],
        ]
        do {
            let created = try await client.json(.wafv2, "CreateWebACL", .map(document))
            return "\(name)|\(created["Summary"]?["Id"]?.string ?? "")|REGIONAL"
        } catch let error as AWSError where error.code == "WAFDuplicateItemException" {
            let listed = try await client.json(.wafv2, "ListWebACLs", .map(["Scope": "REGIONAL", "Limit": 100]))
            let summaries = listed["WebACLs"]?.list ?? []
            guard let aclId = summaries.first(where: { $0["Name"]?.string == name })?["Id"]?.string else {
                throw error
            }
            let key: [String: Value] = ["Name": .string(name), "Scope": "REGIONAL", "Id": .string(aclId)]
            let current = try await client.json(.wafv2, "GetWebACL", .map(key))
            var update = document.merging(key) { $1 }
            update["LockToken"] = current["LockToken"]
            _ = try await client.json(.wafv2, "UpdateWebACL", .map(update))
            return "\(name)|\(aclId)|REGIONAL"
        }
    }
}
