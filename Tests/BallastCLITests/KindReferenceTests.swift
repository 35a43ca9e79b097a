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
}
