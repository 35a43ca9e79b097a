import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Environments in several accounts, each read and written as its own role, assumed
/// through STS with the chain's credentials (moto gives each assumed role's account its
/// own resources; the checking moto cannot authorize roles it has no policies for, so
/// this runs on the unauthenticated one).
@Suite struct AssumeRoleTests {
    static let moto = MotoServer.unauthenticated

    func client(in account: String) -> AWSClient {
        AWSSetup(environment: Self.moto.environment)
            .client(region: "us-east-1", role: RoleToAssume(roleArn: "arn:aws:iam::\(account):role/ballast"))
    }

    func retention(_ group: String, in account: String) async throws -> Value? {
        let groups = try await client(in: account).json(.logs, "DescribeLogGroups",
            ["logGroupNamePrefix": .string(group)])
        return groups["logGroups"]?.list?.first { $0["logGroupName"]?.string == group }?["retentionInDays"]
    }

    @Test func eachEnvironmentIsReadAndWrittenAsItsOwnAccount() async throws {
        let group = "/ballast/" + uniqueName("multi")
        for (account, days) in [("111111111111", 7), ("222222222222", 30)] {
            try await LiveSeeder(client: client(in: account)).create("AWS::Logs::LogGroup", id: group,
                ["RetentionInDays": .int(days)])
        }
        let resource = "resources:\n  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n"
        // alpha's lock table exists only in alpha's account: an apply reaches it as alpha's role, or fails.
        let table = uniqueName("locks")
        _ = try await client(in: "111111111111").json(.dynamodb, "CreateTable", [
            "TableName": .string(table), "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [["AttributeName": "LockID", "AttributeType": "S"]],
            "KeySchema": [["AttributeName": "LockID", "KeyType": "HASH"]],
        ])
        func environment(_ account: String, role: String? = nil) -> String {
            "region: us-east-1\naccount: \"\(account)\"\nassumeRole:\n  roleArn: "
                + "arn:aws:iam::\(role ?? account):role/ballast\n"
                + "  sessionName: ballast-test\n  durationSeconds: 900\n"
        }
        let repo = try TempRepository()
        try repo.commit(["desired-state/alpha/environment.yaml": environment("111111111111") + "lockTable: \(table)\n",
                         "desired-state/alpha/logs.yaml": resource,
                         "desired-state/beta/environment.yaml": environment("222222222222"),
                         "desired-state/beta/logs.yaml": resource,
                         "desired-state/gamma/environment.yaml": environment("444444444444", role: "333333333333"),
                         "desired-state/gamma/logs.yaml": resource], message: "three accounts")
        func ballast(_ arguments: [String]) throws -> Run.Result {
            try Run.ballast(arguments + ["--repo", repo.path], environment: Self.moto.environment)
        }
        let drift = try ballast(["drift", "--output", "json"])
        #expect(drift.status == 1, "gamma's role is in another account than its guard: \(drift.stderr)")
        let environments = try JSON.parse(drift.stdout)["environments"]?.list ?? []
        let status = Dictionary(environments.map { ($0["name"]?.string ?? "",
            $0["resources"]?[0]?["status"]?.string ?? "") },
                                uniquingKeysWith: { a, _ in a })
        #expect(status == ["alpha": "MODIFIED", "beta": "IN_SYNC", "gamma": "NOT_CHECKED"])
        #expect(environments.last?["resources"]?[0]?["reason"]?.string?.contains("333333333333") == true,
            "\(environments)")

        // A saved plan records the account of the role it was read as, which is what apply checks.
        let planFile = repo.path + "/.git/alpha.plan.json"
        #expect(try ballast(["plan", "--env", "alpha", "--out", planFile]).status == 2)
        let saved = try JSON.parse(try String(contentsOfFile: planFile, encoding: .utf8))
        #expect(saved["account"] == "111111111111")
        let apply = try ballast(["apply", planFile, "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await retention(group, in: "111111111111") == 30)
        let journal = try await client(in: "111111111111").json(.dynamodb, "Scan", ["TableName": .string(table)])
        let keys = (journal["Items"]?.list ?? []).compactMap { $0["LockID"]?["S"]?.string }
        #expect(keys.contains { $0.hasPrefix("ballast/journal/") },
                "\(journal)")
        #expect(try await retention(group, in: "222222222222") == 30)
        #expect(try ballast(["drift", "--env", "alpha,beta"]).status == 0)
    }

    @Test func aRoleThatIsNotAnArnIsAMistakeAtItsLine() throws {
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: /x, "
            + "properties: {RetentionInDays: 30}}\n",
            environment: "region: us-east-1\nassumeRole:\n  roleArn: ballast-role\n  durationSeconds: 60\n")
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains("desired-state/test/environment.yaml:3:12: 'ballast-role' is not an IAM role ARN"),
            "\(result.stdout)")
    }
}
