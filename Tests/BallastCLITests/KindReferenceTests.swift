import BallastTestSupport
import Foundation
import Testing

/// docs/kinds.md is generated from the kinds' declarations; a stale page fails here.
@Suite struct KindReferenceTests {
    static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/kinds.md")

    @Test func theKindReferenceIsWhatTheKindsDeclare() throws {
        let made = KindReference.markdown()
        if ProcessInfo.processInfo.environment["BALLAST_UPDATE_DOCS"] == "1" {
            try made.write(to: Self.page, atomically: true, encoding: .utf8)
        }
        let committed = (try? String(contentsOf: Self.page, encoding: .utf8)) ?? ""
        #expect(
            committed == made, "docs/kinds.md is stale: BALLAST_UPDATE_DOCS=1 swift test --filter KindReferenceTests")
        #expect(made.contains("## `AWS::Logs::LogGroup`") && made.contains("`null`: must be unset (never expires)"))
    }

    /// The README's tables of destructive changes and guarded capacities are the kinds' own
    /// (`KindReference.destructiveTable`, `guardTable`); one at a time, as each may write the README.
    @Test(.serialized, arguments: ["destructive-changes", "load-guards"])
    func theREADMEsTablesAreWhatTheKindsDeclare(_ marker: String) throws {
        let readme = Self.page.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let open = "<!-- \(marker): generated from the kinds' declarations; KindReferenceTests holds it -->\n"
        let close = "<!-- /\(marker) -->"
        let start = try #require(text.range(of: open)), end = try #require(text.range(of: close))
        let made = marker == "load-guards" ? KindReference.guardTable() : KindReference.destructiveTable()
        if ProcessInfo.processInfo.environment["BALLAST_UPDATE_DOCS"] == "1" {
            try text.replacingCharacters(in: start.upperBound..<end.lowerBound, with: made)
                .write(to: readme, atomically: true, encoding: .utf8)
        }
        let committed = String(text[start.upperBound..<end.lowerBound])
        let stale = "README's \(marker) table is stale: BALLAST_UPDATE_DOCS=1 swift test --filter KindReferenceTests"
        #expect(committed == made || ProcessInfo.processInfo.environment["BALLAST_UPDATE_DOCS"] == "1",
                "\(stale)")
        #expect(made.split(separator: "\n").count >= 8, "\(made)")
    }
}
