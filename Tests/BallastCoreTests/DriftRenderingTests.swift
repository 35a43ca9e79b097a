import BallastCore
import BallastEngine
import BallastRender
import Foundation
import Testing

/// Renderer snapshots: one report with every status, in every format, compared
/// with files under Snapshots/. `BALLAST_RECORD_SNAPSHOTS=1` rewrites them.
@Suite struct DriftRenderingTests {
    static let report: DriftReport = {
        func resource(
            _ type: String, _ identity: ResourceIdentity, line: Int, _ properties: [String: BallastCore.Expectation]
        ) -> DesiredResource {
            DesiredResource(
                type: type, identity: identity, region: "us-east-1", environment: "prod", properties: properties,
                source: SourceLocation(file: "desired-state/prod/ops.yaml", line: line, column: 5))
        }
        let asg = resource(
            "AWS::AutoScaling::AutoScalingGroup", .id("web-asg"), line: 3,
            [
                "MaxSize": .exact(12), "DesiredCapacity": .range(ValueRange(lower: 3, upper: 12)),
            ])
        let logs = resource(
            "AWS::Logs::LogGroup", .ref(stack: "web", logicalId: "AppLogs"), line: 9, ["RetentionInDays": .exact(30)])
        let alarm = resource(
            "AWS::CloudWatch::Alarm", .id("web-5xx"), line: 14,
            ["AlarmActions": .exact(["arn:aws:sns:us-east-1:1:pager"])])
        let table = resource(
            "AWS::DynamoDB::Table", .id("sessions"), line: 20, ["BillingMode": .exact("PAY_PER_REQUEST")])
        let rule = resource("AWS::Events::Rule", .id("nightly"), line: 24, ["State": .exact("ENABLED")])
        let key = resource("AWS::KMS::Key", .id("alias/web"), line: 28, ["EnableKeyRotation": .exact(true)])
        let drifts: [ResourceDrift] = [
            .judge(asg, physicalId: "web-asg", read: .found(["MaxSize": 20, "DesiredCapacity": 16, "MinSize": 3])),
            .judge(logs, physicalId: "/aws/web", read: .found([:])),
            .judge(
                alarm, physicalId: "web-5xx",
                read: .found(["AlarmActions": ["arn:aws:sns:us-east-1:1:pager", "arn:aws:sns:us-east-1:1:chat"]]),
                rules: ComparisonRules(unordered: ["/AlarmActions"])),
            .judge(table, physicalId: "sessions", read: .missing),
            .judge(rule, physicalId: "nightly", read: .failed("DescribeRule: AccessDeniedException: not allowed")),
            .judge(key, physicalId: "alias/web", read: .found(["EnableKeyRotation": true])),
        ]
        return DriftReport(
            revision: "3f2c9a1e4b5d6f7a8b9c0d1e2f3a4b5c6d7e8f90",
            generatedAt: Date(timeIntervalSince1970: 1_795_417_200),
            environments: [EnvironmentDrift(name: "prod", region: "us-east-1", resources: drifts)])
    }()

    @Test(arguments: [
        ("drift.txt", ReportFormat.text), ("drift.json", .json), ("drift.md", .markdown), ("drift.cfn.json", .cfn),
    ])
    func snapshot(file: String, format: ReportFormat) throws {
        let rendered = DriftRendering.render(Self.report, as: format)
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots/" + file)
        if ProcessInfo.processInfo.environment["BALLAST_RECORD_SNAPSHOTS"] == "1" {
            try rendered.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(rendered == (try String(contentsOf: url, encoding: .utf8)))
    }

    @Test func summaryAndExitCode() {
        let summary = Self.report.summary
        let counts: [Int] = [summary.resources, summary.inSync, summary.modified, summary.deleted, summary.notChecked]
        #expect(counts == [6, 1, 3, 1, 1])
        #expect(Self.report.exitCode == 1)
    }
}
