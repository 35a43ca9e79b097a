import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// One name declared in two regions of one environment is two resources everywhere: the text
/// plan, the JSON plan and the pull-request comment a reviewer approves.
@Suite struct TwoRegionTests {
    @Test func oneNameInTwoRegionsIsTwoRowsInTheComment() async throws {
        let group = "/ballast/" + uniqueName("twin")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder(region: "eu-west-1").create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 14}}
              - {type: AWS::Logs::LogGroup, id: \(group), region: eu-west-1, properties: {RetentionInDays: 30}}
            """)
        func plan(_ format: String) throws -> Run.Result {
            try Run.ballast(["plan", "--repo", repo.path, "--output", format],
                            environment: MotoServer.shared.environment)
        }
        let json = try JSON.parse(try plan("json").stdout)
        let changes = json["changes"]?.list ?? []
        #expect(changes.count == 2)
        #expect(Set(changes.compactMap { $0["region"]?.string }) == ["us-east-1", "eu-west-1"])

        let comment = try plan("markdown")
        #expect(comment.status == 2, "\(comment.stderr)")
        #expect(comment.stdout.contains("2 to change"), "\(comment.stdout)")
        let rows = comment.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("|") && $0.contains(group) }
        #expect(rows.count == 2, "\(comment.stdout)")
        let home = rows.first { $0.contains("us-east-1") }, away = rows.first { $0.contains("eu-west-1") }
        // The value cells, not the row: the group's random name may hold "14" or "30".
        #expect(home?.contains("`7` → `14`") == true && home?.contains("`30`") == false, "\(rows)")
        #expect(away?.contains("`7` → `30`") == true && away?.contains("`14`") == false, "\(rows)")
        #expect(home?.contains("· `us-east-1`") == true && away?.contains("· `eu-west-1`") == true, "\(rows)")

        // Drift says which region each one is in, in text and SARIF; JSON has each one's region.
        func drift(_ format: String) throws -> String {
            try Run.ballast(["drift", "--repo", repo.path, "--output", format],
                            environment: MotoServer.shared.environment).stdout
        }
        let text = try drift("text")
        #expect(text.contains("~ AWS::Logs::LogGroup \(group) [us-east-1]"), "\(text)")
        #expect(text.contains("~ AWS::Logs::LogGroup \(group) [eu-west-1]"), "\(text)")
        let sarif = try drift("sarif")
        #expect(sarif.contains("(test, eu-west-1)") && sarif.contains("(test, us-east-1)"), "\(sarif)")
        let report = try JSON.parse(try drift("json"))
        let regions = report["environments"]?.list?.first?["resources"]?.list?.compactMap { $0["region"]?.string }
        #expect(Set(regions ?? []) == ["us-east-1", "eu-west-1"])
    }
}
