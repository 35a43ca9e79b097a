/// A comment's parts and the one rule that fits them under GitHub's limit
/// (65,536 characters per comment): tables first, each section its fair share,
/// then details in order while they fit; what is left out becomes a count.
struct CommentLayout {
    static let limit = PlanRendering.commentLimit

    struct Section {
        var heading: String
        var columns: [String]
        var rows: [String]
        /// `<details>` blocks, one per resource.
        var details: [String] = []
        /// The row standing for `count` rows left out.
        var foldedRow: (Int) -> String
    }

    var head: String
    var sections: [Section]
    var footer: String

    /// The whole comment when it fits, else the folded one.
    func render(limit: Int = Self.limit) -> String {
        let whole = assemble(rowsShown: sections.map(\.rows.count), detailsShown: sections.map(\.details.count))
        if whole.utf8.count <= limit { return whole }
        let rows = fitRows(budget: limit - skeletonSize)
        var used = assemble(rowsShown: rows, detailsShown: sections.map { _ in 0 }).utf8.count
        var details = sections.map { _ in 0 }
        for (index, section) in sections.enumerated() {
            for block in section.details {
                guard used + block.utf8.count + 2 <= limit else { break }
                used += block.utf8.count + 2
                details[index] += 1
            }
        }
        return assemble(rowsShown: rows, detailsShown: details)
    }

    /// Everything but rows and details, with room for every folding note.
    private var skeletonSize: Int {
        let notes = sections.map { $0.foldedRow(Int.max).utf8.count + 1 }.reduce(0, +)
        return assemble(rowsShown: sections.map { _ in 0 }, detailsShown: sections.map { _ in 0 }).utf8.count + notes
            + Self.foldedNote(rowsLeft: Int.max, detailsLeft: Int.max).utf8.count
    }

    /// Each section first gets up to an equal share of `budget`, then what others left, in order.
    private func fitRows(budget: Int) -> [Int] {
        var shown = sections.map { _ in 0 }
        var left = max(0, budget)
        let share = sections.isEmpty ? 0 : left / sections.count
        for pass in 0..<2 {
            for (index, section) in sections.enumerated() {
                var allowance = pass == 0 ? min(share, left) : left
                while shown[index] < section.rows.count {
                    let size = section.rows[shown[index]].utf8.count + 1
                    guard size <= allowance else { break }
                    allowance -= size
                    left -= size
                    shown[index] += 1
                }
            }
        }
        return shown
    }

    private func assemble(rowsShown: [Int], detailsShown: [Int]) -> String {
        var out = head
        var rowsLeft = 0, detailsLeft = 0
        for (index, section) in sections.enumerated() {
            out += "\n" + section.heading + "\n"
            guard !section.rows.isEmpty else { continue }
            out += "\n| " + section.columns.joined(separator: " | ") + " |\n"
            out += "|" + String(repeating: "---|", count: section.columns.count) + "\n"
            for row in section.rows.prefix(rowsShown[index]) { out += row + "\n" }
            let folded = section.rows.count - rowsShown[index]
            if folded > 0 { out += section.foldedRow(folded) + "\n" }
            rowsLeft += folded
            for block in section.details.prefix(detailsShown[index]) { out += "\n" + block + "\n" }
            detailsLeft += section.details.count - detailsShown[index]
        }
        if rowsLeft + detailsLeft > 0 { out += "\n" + Self.foldedNote(rowsLeft: rowsLeft, detailsLeft: detailsLeft) }
        return out + "\n" + footer
    }

    static func foldedNote(rowsLeft: Int, detailsLeft: Int) -> String {
        "> [!NOTE]\n> Folded to fit GitHub's comment limit: \(rowsLeft) table rows and "
            + "\(detailsLeft) resources' details "
            + "are left out. The full report is the JSON report (`--out-json FILE`) in this job's artifacts.\n"
    }
}
