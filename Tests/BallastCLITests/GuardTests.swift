import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Before a plan lowers a capacity it reads the last hour of the metric that says what the capacity
/// carries: a cut below the peak carries a guard, one above it none, and a metric with no data is said
/// as unknown, never as safe; one GetMetricData reads them all.
@Suite struct GuardTests {
    @Test func aCapacityCutBelowTheLastHoursPeakIsGuarded() async throws {
        let busy = uniqueName("guard-busy"), quiet = uniqueName("guard-quiet"), dark = uniqueName("guard-dark")
        for group in [busy, quiet, dark] {
            try await seeder().create("AWS::AutoScaling::AutoScalingGroup", id: group,
                                      ["MinSize": 0, "MaxSize": 20, "DesiredCapacity": 0])
        }
        // What Auto Scaling publishes with group metrics collection on: in-service instances a minute.
        let client = AWSSetup(environment: MotoServer.shared.environment).client(region: "us-east-1")
        for (group, peak) in [(busy, 16), (quiet, 8)] {
            var data: [String: String] = ["Namespace": "AWS/AutoScaling"]
            for (n, minutesAgo) in [50, 30, 10].enumerated() {
                let entry = "MetricData.member.\(n + 1)."
                data[entry + "MetricName"] = "GroupInServiceInstances"
                data[entry + "Dimensions.member.1.Name"] = "AutoScalingGroupName"
                data[entry + "Dimensions.member.1.Value"] = group
                data[entry + "Timestamp"] = Timestamp.iso8601(Date().addingTimeInterval(Double(-minutesAgo * 60)))
                data[entry + "Value"] = "\(minutesAgo == 30 ? peak : peak / 2)"
            }
            _ = try await client.query(.cloudWatch, "PutMetricData", data)
        }
        let repo = try TempRepository.desiredState([busy, quiet, dark].map {
            "  - {type: AWS::AutoScaling::AutoScalingGroup, id: \($0), properties: {MaxSize: 12}}\n"
        }.joined())
        let recorder = try RequestRecorder()
        let plan = try repo.ballast(["plan", "--output", "json"], recorder.environment)
        #expect(plan.status == 2, "\(plan.stderr)")
        let changes = try JSON.parse(plan.stdout)["changes"]?.list ?? []
        let byId = Dictionary(changes.map { ($0["id"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byId[busy]?["guard"] == [
            "metric": "AWS/AutoScaling GroupInServiceInstances Maximum", "observed": 16, "window": "1h", "limit": 12,
        ], "\(plan.stdout)")
        #expect(byId[quiet] != nil && byId[quiet]?["guard"] == nil, "8 in service at the peak: 12 carries it")
        let unknown = try #require(byId[dark]?["guard"], "no data is unknown, not safe: \(byId[dark] ?? .null)")
        #expect(unknown["limit"] == 12 && (unknown["observed"] ?? .null) == .null, "\(unknown)")
        #expect(JSON.encode(unknown).contains("\"observed\":null"), "\(JSON.encode(unknown))")
        let reads = try recorder.jsonLines.split(separator: "\n").filter { line in
            let body = try JSON.parse(String(line))["body"]?.string.flatMap { Data(base64Encoded: $0) } ?? Data()
            return String(decoding: body, as: UTF8.self).contains("Action=GetMetricData")
        }
        #expect(reads.count == 1, "one GetMetricData for the three groups: \(reads.count)")
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")

        let text = try repo.ballast(["plan"]).stdout
        #expect(text.contains("! guard: AWS/AutoScaling GroupInServiceInstances Maximum reached 16 in the last 1h; "
            + "the new value 12 is below it"), "\(text)")
        #expect(text.contains("! guard: no data for AWS/AutoScaling GroupInServiceInstances Maximum in the last 1h"))

        // The comment marks the rows and says the load in the details; policies see `change.guard`.
        let comment = try repo.ballast(["plan", "--output", "markdown"]).stdout
        let rows = comment.split(separator: "\n").filter { $0.hasPrefix("| update") }
        #expect(rows.filter { $0.contains("⚠️ load") }.count == 2, "\(comment)")
        #expect(comment.contains(#"**Load**: AWS\/AutoScaling GroupInServiceInstances Maximum reached 16"#), "\(comment)")
        try repo.commit(["policies/load.yaml": """
            policies:
              - id: no-cut-below-load
                severity: deny
                on: change
                assert: "!has(change.guard)"
            """ + "\n"], message: "deny cuts below the load")
        // CloudWatch that cannot be reached: every cut is guarded as unknown, and the plan says why.
        let nowhere = ["AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1"]
        let unreachable = try repo.ballast(["plan", "--output", "json"], nowhere)
        let unread = (try JSON.parse(unreachable.stdout)["changes"]?.list ?? []).compactMap { $0["guard"] }
        #expect(unread.count == 3 && unread.allSatisfy { ($0["observed"] ?? .null) == .null }, "\(unread)")
        #expect(unreachable.stderr.contains("the load of 3 capacity cut(s) in test (us-east-1) could not be read, "
            + "so it is unknown"), "\(unreachable.stderr)")

        let denied = try repo.ballast(["plan"])
        #expect(denied.status == 3, "\(denied.stdout)")
        #expect(denied.stdout.contains("Policies: 2 denied"), "\(denied.stdout)")
    }
}
