import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// "Must be unset" (spec section 8): `RetentionInDays: null` is a log group that never expires.
/// Drift reports a retention that was set, apply removes it with DeleteRetentionPolicy, and import
/// writes `null` for a group that keeps its events for ever; against moto.
@Suite struct NeverExpiresTests {
    static func retention(_ group: String) async throws -> Value? {
        let answer = try await seeder().client.json(
            .logs, "DescribeLogGroups", .map(["logGroupNamePrefix": .string(group)]))
        return answer["logGroups"]?.list?.first { $0["logGroupName"]?.string == group }?["retentionInDays"]
    }

    @Test func aNeverExpiringGroupDriftsAppliesAndImports() async throws {
        let folder = "/never/" + uniqueName("group") + "/"
        let (kept, set) = (folder + "kept", folder + "set")
        try await seeder().create("AWS::Logs::LogGroup", id: kept, [:])
        try await seeder().create("AWS::Logs::LogGroup", id: set, ["RetentionInDays": 7])
        #expect(try await Self.retention(kept) == nil)
        let resources = """
              - {type: AWS::Logs::LogGroup, id: "\(kept)", properties: {RetentionInDays: null}}
              - {type: AWS::Logs::LogGroup, id: "\(set)", properties: {RetentionInDays: null}}
            """
        let drift = try DriftRun.run(resources)
        #expect(drift.status == 2, "\(drift.report)\(drift.stderr)")
        #expect(drift.status(of: kept) == "IN_SYNC")
        #expect(drift.differences(of: set) == [difference("/RetentionInDays", nil, 7)])
        let repo = try TempRepository.desiredState(resources + "\n")
        let text = try repo.ballast(["drift"])
        #expect(text.stdout.contains("RetentionInDays: 7 -> (unset)"), "\(text.stdout)")
        let plan = try repo.ballast(["plan", "--output", "json"])
        let change = try JSON.parse(plan.stdout)["changes"]?.list?.first
        #expect(change?["call"] == "logs:DeleteRetentionPolicy"
            && change?["set"]?["/RetentionInDays"] == ["from": 7, "to": .null], "\(plan.stdout)")
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await Self.retention(set) == nil)
        #expect(try DriftRun.run(resources).status == 0)

        let policy = try repo.ballast(["iam-policy", "--for", "apply"])
        #expect(policy.stdout.contains("logs:DeleteRetentionPolicy"), "\(policy.stdout)")

        let empty = try TempRepository()
        try empty.commit(["desired-state/test/environment.yaml": "region: us-east-1\n"], message: "environment")
        let imported = try empty.ballast(["import", "--env", "test", "--from-live", "--type", "AWS::Logs::LogGroup",
                                          "--id", folder + "*"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let written = try String(
            contentsOfFile: empty.path + "/desired-state/test/logs-log-group.yaml", encoding: .utf8)
        #expect(written.contains("id: \"\(kept)\"\n    properties:\n      RetentionInDays: null"), "\(written)")

        // `null` is said on purpose: an empty value is still a mistake, and other properties take no null.
        let mistaken = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: "\(kept)", properties: {RetentionInDays: }}
              - {type: AWS::SQS::Queue, id: q, properties: {DelaySeconds: null}}

            """)
        let validate = try mistaken.ballast(["validate"])
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("RetentionInDays has no value; remove it to leave the property unmanaged "
            + "(write `null` to say it must be unset)"), "\(validate.stdout)")
        #expect(validate.stdout.contains("DelaySeconds has no value"), "\(validate.stdout)")
    }
}
