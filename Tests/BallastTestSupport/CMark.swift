import Foundation

/// GitHub's markdown renderer, as Debian ships it (scripts/install-deps.sh installs it),
/// with the extensions GitHub turns on. Raw HTML is kept (`--unsafe`) as GitHub keeps
/// `<details>`; its tag filter still disarms `<script>` and the like.
public enum CMark {
    public static func render(_ markdown: String) throws -> String {
        let input = NSTemporaryDirectory() + "ballast-comment-" + UUID().uuidString + ".md"
        try markdown.write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let extensions = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"].flatMap {
            ["--extension", $0]
        }
        let result = try Run.process("/usr/bin/env", ["cmark-gfm", "--unsafe"] + extensions + [input])
        guard result.status == 0 else { throw TestFailure("cmark-gfm failed: \(result.stderr)") }
        return result.stdout
    }

    /// The number of cells of each table row (`<td>`s; header rows count 0).
    public static func rowCells(_ html: String) -> [Int] {
        html.components(separatedBy: "<tr>").dropFirst().map { $0.components(separatedBy: "<td").count - 1 }
    }
}
