import BallastCore
import BallastDesiredState
import BallastGit
import Foundation

/// The repository's side of each resource's history on the status page: the commits that changed its
/// declaration (along the first-parent history of the commit read: each version of its file whose block for
/// the resource differs from the one before), and the writes ballast's journal recorded for it. What the
/// watch saw (drift episodes, CloudTrail events) it adds itself.
public enum StatusHistory {
    /// Entries kept a resource, newest first: a page stays short and a repository's age costs nothing.
    public static let perResource = 50

    public static func entries(_ loaded: LoadedState, keys: Set<ResourceKey>? = nil) -> [ResourceKey: [HistoryEntry]] {
        var out: [ResourceKey: [HistoryEntry]] = [:]
        let resources = loaded.state.environments.flatMap(\.resources).filter { keys?.contains($0.key) ?? true }
        if let git = try? GitRepository(discoveringFrom: loaded.repositoryRoot), let commit = loaded.commit {
            var versions: [String: [GitFileVersion]] = [:]
            for resource in resources {
                let file = resource.source.file
                if versions[file] == nil { versions[file] = (try? git.fileVersions(file, from: commit)) ?? [] }
                for change in commits(changing: resource, in: versions[file] ?? []) {
                    out[resource.key, default: []].append(HistoryEntry(
                        .commit, at: Date(timeIntervalSince1970: TimeInterval(change.time)), said: change.summary,
                        by: change.author, reference: change.commit))
                }
            }
        }
        let declared = Set(resources.map(\.key))
        for entry in (try? Journal(repositoryPath: loaded.repositoryRoot).entries()) ?? [] {
            for item in entry.changes where declared.contains(item.change.key) {
                let values = item.change.set.keys.sorted().map { path in
                    "\(PropertyPath.readable(path)) \(item.change.set[path]?.from?.description ?? "(none)") -> "
                        + (item.change.set[path]?.to.description ?? "")
                }.joined(separator: ", ")
                let failure = item.error.map { ": " + $0 } ?? ""
                out[item.change.key, default: []].append(HistoryEntry(
                    .journal, at: entry.time,
                    said: "\(entry.kind.rawValue): \(item.change.call) \(item.outcome.rawValue)\(failure) (\(values))",
                    by: entry.actor, reference: entry.id))
            }
        }
        return out.mapValues { Array($0.sorted { $0.at > $1.at }.prefix(perResource)) }
    }

    /// The versions (newest first) in which the resource's block differs from the next older one's, the
    /// oldest with the block (its declaration) included. A resource its block cannot be found for in text (a
    /// `ref`) has none.
    public static func commits(changing resource: DesiredResource, in versions: [GitFileVersion]) -> [GitFileVersion] {
        guard case .id(let id) = resource.identity else { return [] }
        let blocks = versions.map { version in
            version.contents.flatMap { block(of: resource.type, id: id, in: String(decoding: $0, as: UTF8.self)) }
        }
        var out: [GitFileVersion] = []
        for (n, version) in versions.enumerated() {
            guard let block = blocks[n] else { break }  // older than its declaration
            let older = n + 1 < blocks.count ? blocks[n + 1] : nil
            if block != older { out.append(version) }
        }
        return out
    }

    /// The lines of the `resources:` list item declaring `type` and `id` (block or flow style), trailing
    /// blank lines and comments dropped; nil when the text has none.
    public static func block(of type: String, id: String, in text: String) -> [Substring]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func indent(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }
        func isItem(_ line: Substring) -> Bool { line.drop { $0 == " " }.hasPrefix("- ") }
        var start = 0
        while start < lines.count {
            guard isItem(lines[start]) else { start += 1; continue }
            let level = indent(lines[start])
            var end = start + 1
            while end < lines.count {
                let line = lines[end]
                let blank = line.trimmingCharacters(in: .whitespaces).isEmpty
                if !blank && (indent(line) < level || (indent(line) == level && isItem(line))) { break }
                end += 1
            }
            let item = Array(lines[start..<end])
            if names(item, "type", type) && names(item, "id", id) {
                var kept = item
                while let last = kept.last, last.trimmingCharacters(in: .whitespaces).isEmpty
                    || last.trimmingCharacters(in: .whitespaces).hasPrefix("#") { kept.removeLast() }
                return kept
            }
            start = end  // the next item at this level (a list nested in this one is not a resource)
        }
        return nil
    }

    /// Whether a list item says `key: value` (plain, or quoted), in block or flow style.
    static func names(_ item: [Substring], _ key: String, _ value: String) -> Bool {
        let forms = [value, "\"\(value)\"", "'\(value)'"].map { "\(key): \($0)" }
        return item.contains { line in
            forms.contains { form in
                guard let range = line.range(of: form) else { return false }
                let before = line[..<range.lowerBound].last
                let after = line[range.upperBound...].first
                return (before == nil || " -{,".contains(before!)) && (after == nil || " ,}#".contains(after!))
            }
        }
    }
}
