import BallastCore
import BallastEngine
import BallastKinds
import BallastRender
import BallastTestSupport
import Foundation
import Testing

/// The pull-request comment at the size that breaks other tools' comments:
/// rendered by GitHub's renderer, it stays under the limit and its tables stay tables.
@Suite struct CommentTests {
    /// `count` log groups kept 7 days where 30 are declared, spread over prod and staging.
    static func plan(changes count: Int, denies: Int = 0) -> Plan {
        func drift(_ index: Int, environment: String) -> ResourceDrift {
            let id = "/aws/lambda/service-\(index)-`|<b>@team"
            let resource = DesiredResource(
                type: "AWS::Logs::LogGroup", identity: .id(id), region: "us-east-1", environment: environment,
                properties: ["RetentionInDays": .exact(30)],
                source: SourceLocation(file: "desired-state/\(environment)/logs.yaml", line: index + 2, column: 5),
                kind: Kinds.builtIn.kind(for: "AWS::Logs::LogGroup"))
            return .judge(resource, physicalId: id, read: .found(["RetentionInDays": 7]))
        }
        let split = count * 4 / 5
        let report = DriftReport(revision: "3f2c9a1e4b5d6f7a8b9c0d1e2f3a4b5c6d7e8f90",
            generatedAt: Date(timeIntervalSince1970: 1_795_417_200),
                                 environments: [
                                    EnvironmentDrift(name: "prod", region: "us-east-1",
                                        resources: (0..<split).map { drift($0, environment: "prod") }),
                                    EnvironmentDrift(name: "staging", region: "eu-west-1",
                                                     resources: (split..<count).map { drift($0,
                                                         environment: "staging") }),
                                 ])
        var plan = Planner.plan(report)
        plan.policy = (0..<denies).map { index in
            PolicyResult(policy: "log-retention-minimum", severity: .deny,
                resource: "AWS::Logs::LogGroup /aws/lambda/service-\(index)",
                         environment: "prod", message: "Logs are kept at least 14 days", result: .fail)
        }
        return plan
    }

    @Test func fiveThousandChangesFoldIntoCountsAndTheTablesStayTables() throws {
        let plan = Self.plan(changes: 5_000, denies: 3)
        let comment = PlanRendering.render(plan, as: .markdown)
        print("5,000-change comment: \(comment.utf8.count) bytes, \(comment.count) characters")
        #expect(comment.utf8.count <= 65_000)
        #expect(comment.hasPrefix("<!-- ballast:prod,staging -->\n**prod**: 4000 to change, 3 denied by policy · "
            + "**staging**: 1000 to change · `3f2c9a1`\n"))
        #expect(comment.contains("Folded to fit GitHub's comment limit"))
        #expect(comment.hasSuffix("</sub>\n"))
        let html = try CMark.render(comment)
        // Every row of every table has its four cells, the folded rows' count included.
        let cells = CMark.rowCells(html).filter { $0 > 0 }
        #expect(Set(cells) == [4])
        #expect(html.contains("<td>…</td>\n<td>") && html.contains(" more resources</td>"))
        // Both environments got rows, and the denies were not crowded out.
        #expect(html.contains("<h3>prod · <code>us-east-1</code></h3>"))
        #expect(html.contains("<h3>staging · <code>eu-west-1</code></h3>"))
        #expect(html.components(separatedBy: "<td>⛔ deny</td>").count - 1 == 3)
        let shown = html.components(separatedBy: "<td>update</td>").count - 1
        #expect(shown > 100 && shown < 5_000, "\(shown) rows shown")
        // Untrusted ids stay inside their code spans.
        #expect(!html.contains("<b>@team"))
    }

    @Test func aCommentUnderTheLimitKeepsEveryResourcesDetails() throws {
        let comment = PlanRendering.render(Self.plan(changes: 20), as: .markdown)
        #expect(!comment.contains("Folded"))
        let html = try CMark.render(comment)
        #expect(html.components(separatedBy: "<details>").count - 1 == 20)
        #expect(comment.contains("Apply after merge: `ballast apply --env prod --env staging`"))
    }

    @Test func pastTheLimitDetailsFoldBeforeAnyTableRow() throws {
        let plan = Self.plan(changes: 120)
        let whole = PlanRendering.render(plan, as: .markdown)
        let rows = whole.components(separatedBy: "\n| update |").count - 1
        #expect(rows == 120)
        let limit = whole.utf8.count - 2_000
        let folded = PlanRendering.comment(plan, limit: limit)
        #expect(folded.utf8.count <= limit)
        #expect(folded.components(separatedBy: "\n| update |").count - 1 == 120)
        #expect(folded.components(separatedBy: "<details>").count - 1 < 120)
        #expect(folded.contains("0 table rows and "))
    }

    @Test func theMarkerKeyIsKeptToSafeCharacters() {
        #expect(CommentMarker.make("prod,staging") == "<!-- ballast:prod,staging -->")
        #expect(CommentMarker.make("a --> <b>") == "<!-- ballast:a_--___b_ -->")
        #expect(CommentMarker.key(in: "<!-- ballast:prod -->\nx\n") == "prod")
        #expect(CommentMarker.key(in: "x\n<!-- ballast:prod -->\n") == nil, "only the first line holds a marker")
        #expect(CommentMarker.key(in: "<!-- ballast:a b -->") == nil)
    }
}
