import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A plan says which of its writes cannot be taken back, in every form a reviewer reads it: the text
/// plan, the JSON plan, the pull-request comment (a mark in the row, the reason in its details).
@Suite struct RiskTests {
    @Test func aShortenedRetentionIsMarkedDestructiveAndALongerOneIsNot() async throws {
        let shortened = "/ballast/" + uniqueName("risk"), lengthened = "/ballast/" + uniqueName("risk")
        try await seeder().create("AWS::Logs::LogGroup", id: shortened, ["RetentionInDays": 90])
        try await seeder().create("AWS::Logs::LogGroup", id: lengthened, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(shortened), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(lengthened), properties: {RetentionInDays: 30}}
            """ + "\n")
        let reason = "A shorter retention deletes the log events older than it"

        let text = try repo.ballast(["plan"])
        #expect(text.status == 2, "\(text.stderr)")
        #expect(text.stdout.components(separatedBy: "! destructive: " + reason).count == 2, "\(text.stdout)")

        let json = try repo.ballast(["plan", "--output", "json"])
        let changes = try JSON.parse(json.stdout)["changes"]?.list ?? []
        let byId = Dictionary(changes.map { ($0["id"]?.string ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byId[shortened]?["risk"]?["class"] == "destructive", "\(json.stdout)")
        #expect(byId[shortened]?["risk"]?["reason"]?.string?.hasPrefix(reason) == true)
        #expect(byId[lengthened] != nil && byId[lengthened]?["risk"] == nil, "\(json.stdout)")

        let comment = try repo.ballast(["plan", "--output", "markdown"]).stdout
        let rows = comment.split(separator: "\n").filter { $0.hasPrefix("| update") }
        #expect(rows.count == 2, "\(comment)")
        #expect(rows.first { $0.contains(shortened) }?.contains("❗ destructive") == true, "\(comment)")
        #expect(rows.first { $0.contains(lengthened) }?.contains("destructive") == false, "\(comment)")
        #expect(comment.components(separatedBy: "**Destructive**: " + reason).count == 2, "\(comment)")

        // Code scanning: a warning at the line that declares the resource, for the destructive write only.
        let sarif = try JSON.parse(try repo.ballast(["plan", "--output", "sarif"]).stdout)
        let results = sarif["runs"]?[0]?["results"]?.list ?? []
        let destructive = results.filter { $0["ruleId"] == "ballast/destructive-change" }
        #expect(destructive.count == 1, "\(results)")
        #expect(destructive.first?["message"]?["text"]?.string?.contains(
            "\(shortened) (test): logs:PutRetentionPolicy is destructive: " + reason) == true, "\(destructive)")
        #expect(destructive.first?["locations"]?[0]?["physicalLocation"]?["region"]?["startLine"] != nil)
    }
}
