import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `--max-requests` and `--max-duration`: a spent budget leaves resources NOT_CHECKED
/// with the reason, never reported as drift or as clean.
@Suite struct BudgetTests {
    func report(_ result: Run.Result) throws -> DriftRun {
        DriftRun(status: result.status, report: try JSON.parse(result.stdout), stderr: result.stderr)
    }

    @Test func whatTheBudgetCannotReadIsNotCheckedAndTheRestIsReported() async throws {
        var lines: [String] = []
        for folder in 0..<3 {
            let prefix = "/ballast/" + uniqueName("budget") + "/"
            for index in 0..<5 {
                try await seeder().create("AWS::Logs::LogGroup", id: prefix + "\(index)", ["RetentionInDays": 30])
                lines.append(
                    "  - {type: AWS::Logs::LogGroup, id: \(prefix)\(index), properties: {RetentionInDays: "
                        + "\(folder == 0 ? 14 : 30)}}"
                )
            }
        }
        for index in 0..<4 {
            let table = uniqueName("budget-\(index)")
            try await seeder().create("AWS::DynamoDB::Table", id: table, ["BillingMode": "PAY_PER_REQUEST"])
            lines.append("  - {type: AWS::DynamoDB::Table, id: \(table), properties: {BillingMode: PAY_PER_REQUEST}}")
        }
        let repo = try TempRepository.desiredState(lines.joined(separator: "\n") + "\n")
        let whole = try report(repo.ballast(["drift", "--output", "json"]))
        #expect(whole.status == 2)

        let limited = try report(repo.ballast(["drift", "--output", "json", "--max-requests", "3"]))
        #expect(limited.status == 1)
        let statuses = limited.resources.values.compactMap { $0["status"]?.string }
        #expect(statuses.count == 19)
        let unchecked = limited.resources.values.filter { $0["status"] == "NOT_CHECKED" }
        #expect(!unchecked.isEmpty && unchecked.count < 19, "\(statuses)")
        for resource in unchecked {
            #expect(resource["reason"]?.string?.contains("not read: the run's budget is spent (--max-requests 3)")
                == true,
                    "\(resource)")
        }
        // What was read is what the whole run says.
        for (id, resource) in limited.resources where resource["status"] != "NOT_CHECKED" {
            #expect(resource["status"] == whole.resources[id]?["status"], "\(id)")
        }

        let none = try report(repo.ballast(["drift", "--output", "json", "--max-duration", "0s"]))
        #expect(none.status == 1)
        #expect(none.resources.values.allSatisfy { $0["status"] == "NOT_CHECKED" })
        let bad = try repo.ballast(["drift", "--max-duration", "soon"])
        #expect(bad.status == 1 && bad.stderr.contains("--max-duration takes a duration"))
    }
}
