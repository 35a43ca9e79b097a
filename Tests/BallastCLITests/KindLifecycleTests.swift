import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// The section-7 kinds through what an operations team does with them: adopt from live (`import
/// --from-live`, by a glob: each of them lists), see it in sync, raise a setting in an incident
/// through git and apply it, then roll back to the revision before.
@Suite struct KindLifecycleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let type: String
        /// The name to seed under (the seeder returns the id).
        let name: @Sendable () -> String
        let live: [String: Value]
        /// The incident's desired properties.
        let incident: String
        /// The import's glob for a seeded id (every kind here lists).
        let glob: @Sendable (String) -> String

        var testDescription: String { type }
    }

    static let cases: [Case] = [
        Case(type: "AWS::WAFv2::WebACL", name: { uniqueName("acl") },
             live: ["DefaultAction": ["Allow": [:]],
                    "Rules": [["Name": "per-ip", "Statement": ["RateBasedStatement": ["Limit": 2_000]]]]],
             incident: "{Rules: [{Name: per-ip, Statement: {RateBasedStatement: {Limit: 500}}}]}",
             glob: { id in String(id.split(separator: "|")[0]) + "*" }),
        Case(type: "AWS::ApiGateway::Stage", name: { uniqueName("api") + "/prod" },
             live: ["MethodSettings": [["ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 100]]],
             incident: "{MethodSettings: [{ResourcePath: /*, HttpMethod: '*', ThrottlingRateLimit: 20}]}",
             glob: { id in String(id.split(separator: "/")[0]) + "/*" }),
        Case(type: "AWS::ApiGatewayV2::Stage", name: { uniqueName("http") + "/prod" },
             live: ["DefaultRouteSettings": ["ThrottlingRateLimit": 100, "ThrottlingBurstLimit": 50]],
             incident: "{DefaultRouteSettings: {ThrottlingRateLimit: 20, ThrottlingBurstLimit: 50}}",
             glob: { id in String(id.split(separator: "/")[0]) + "/*" }),
        Case(type: "AWS::Budgets::Budget", name: { uniqueName("budget") },
             live: ["BudgetLimit": ["Amount": 100, "Unit": "USD"], "TimeUnit": "MONTHLY"],
             incident: "{BudgetLimit: {Amount: 400, Unit: USD}, TimeUnit: MONTHLY}",
             glob: { $0 + "*" }),
        Case(type: "AWS::ElastiCache::ReplicationGroup", name: { uniqueName("cache") },
             live: ["SnapshotRetentionLimit": 1, "CacheNodeType": "cache.t4g.micro", "NumCacheClusters": 1],
             incident: "{SnapshotRetentionLimit: 1, CacheNodeType: cache.r7g.xlarge, NumCacheClusters: 3}",
             glob: { $0 + "*" }),
        Case(type: "AWS::Lambda::Alias", name: { uniqueName("fn") + ":live" },
             live: ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 2]],
             incident: "{ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 8}}",
             glob: { id in String(id.split(separator: ":")[0]) + ":*" }),
    ]

    @Test(arguments: cases)
    func importApplyAndRollBack(_ kind: Case) async throws {
        let id = try await seeder().create(kind.type, id: kind.name(), kind.live)
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\naccount: \"123456789012\"\n"],
                        message: "environment")
        let imported = try repo.ballast(["import", "--env", "test", "--from-live", "--type", kind.type,
                                         "--id", kind.glob(id)])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: repo.path + "/desired-state/test")
            .filter { $0 != "environment.yaml" }
        #expect(files.count == 1, "\(files)")
        let file = "desired-state/test/" + (files.first ?? "")
        let adopted = try String(contentsOfFile: repo.path + "/" + file, encoding: .utf8)
        #expect(adopted.contains(id), "\(adopted)")
        #expect(try repo.ballast(["validate", "--worktree"]).status == 0, "\(adopted)")
        let inSync = try repo.ballast(["drift", "--worktree"])
        #expect(inSync.status == 0, "\(adopted)\n\(inSync.stdout)\(inSync.stderr)")

        try repo.commit([file: adopted], message: "adopted from live")
        let incident = "resources:\n  - {type: \(kind.type), id: \"\(id)\", properties: \(kind.incident)}\n"
        try repo.commit([file: incident], message: "incident")
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let rollback = try repo.ballast(["rollback", "--to", "HEAD~1", "--auto-approve"])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        let before = try repo.ballast(["drift", "--revision", "HEAD~1"])
        #expect(before.status == 0, "live is the adopted revision's again: \(before.stdout)\(before.stderr)")
        #expect(try repo.ballast(["drift"]).status == 2, "and HEAD still asks for the incident's values")
    }

    /// ElastiCache refuses failover without a replica; so does `validate`, at the line, before AWS.
    @Test func failoverWithoutAReplicaIsAMistake() throws {
        let repo = try TempRepository.desiredState("  - {type: AWS::ElastiCache::ReplicationGroup, id: cache, "
            + "properties: {NumCacheClusters: 1, AutomaticFailoverEnabled: true}}\n")
        let result = try repo.ballast(["validate"])
        let output = result.stdout + result.stderr
        #expect(result.status == 1)
        #expect(output.contains("resources.yaml:2:"), "\(output)")
        #expect(
            output.contains("NumCacheClusters must be at least 2 with AutomaticFailoverEnabled: true"), "\(output)")
    }
}
