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

    /// The README's table of destructive changes is the kinds' own (`KindReference.destructiveTable`).
    @Test func theREADMEsDestructiveChangesAreWhatTheKindsDeclare() throws {
        let readme = Self.page.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let open = "KindReferenceTests holds it -->\n", close = "<!-- /destructive-changes -->"
        let start = try #require(text.range(of: open)), end = try #require(text.range(of: close))
        let made = KindReference.destructiveTable()
        if ProcessInfo.processInfo.environment["BALLAST_UPDATE_DOCS"] == "1" {
            try text.replacingCharacters(in: start.upperBound..<end.lowerBound, with: made)
                .write(to: readme, atomically: true, encoding: .utf8)
        }
        let committed = String(text[start.upperBound..<end.lowerBound])
        let stale = "README's destructive changes are stale: BALLAST_UPDATE_DOCS=1 swift test --filter "
            + "KindReferenceTests"
        #expect(committed == made || ProcessInfo.processInfo.environment["BALLAST_UPDATE_DOCS"] == "1",
                "\(stale)")
        #expect(made.split(separator: "\n").count >= 11, "\(made)")
    }
}
