import BallastCore
import BallastDesiredState
import BallastGit
import FoundationEssentials

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
            var files: [String: Declarations] = [:]
            for resource in resources {
                let file = resource.source.file
                if files[file] == nil { files[file] = Declarations((try? git.fileVersions(file, from: commit)) ?? []) }
                for change in files[file]?.commits(changing: resource) ?? [] {
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

    /// What the repository's side of the history depends on: the commit read and the journal's tip. Nil when
    /// there is no commit (a working tree outside git), so nothing is kept for it.
    public static func revision(_ loaded: LoadedState) -> String? {
        guard let commit = loaded.commit else { return nil }
        let notes = (try? GitRepository(discoveringFrom: loaded.repositoryRoot))
            .flatMap { try? $0.commit(Journal.notesRef).sha }
        return commit.sha + ":" + (notes ?? "")
    }

    /// The versions (newest first) in which the resource's block differs from the next older one's, the
    /// oldest with the block (its declaration) included. A resource its block cannot be found for in text (a
    /// `ref`) has none.
    public static func commits(changing resource: DesiredResource, in versions: [GitFileVersion]) -> [GitFileVersion] {
        Declarations(versions).commits(changing: resource)
    }

    /// The lines of the `resources:` list item declaring `type` and `id` (block or flow style), trailing
    /// blank lines and comments dropped; nil when the text has none.
    public static func block(of type: String, id: String, in text: String) -> [Substring]? {
        blocks(in: text)[Declarations.key(type, id)]
    }

    /// Every list item of the text's top list that says its `type:` and `id:`, by both: one pass over the
    /// lines, so a file's version is read once for all the resources it declares.
    static func blocks(in text: String) -> [String: [Substring]] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func indent(_ line: Substring) -> Int { line.prefix { $0 == " " }.count }
        func isItem(_ line: Substring) -> Bool { line.drop { $0 == " " }.hasPrefix("- ") }
        var out: [String: [Substring]] = [:]
        var start = lines.firstIndex(where: isItem) ?? lines.count
        let level = start < lines.count ? indent(lines[start]) : 0
        while start < lines.count {
            var end = start + 1
            while end < lines.count {
                let line = lines[end]
                let blank = line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
                if !blank && (indent(line) < level || (indent(line) == level && isItem(line))) { break }
                end += 1
            }
            var item = Array(lines[start..<end])
            while let last = item.last, last.trimmingSpaces().isEmpty
                || last.trimmingSpaces().hasPrefix("#") { item.removeLast() }
            if let type = value(of: "type", in: item), let id = value(of: "id", in: item) {
                out[Declarations.key(type, id)] = item
            }
            // The next item at this level; a line at a shallower one ends the list.
            guard end < lines.count, indent(lines[end]) == level, isItem(lines[end]) else { break }
            start = end
        }
        return out
    }

    /// The first `key: value` of a list item (plain, or in quotes), in block or flow style.
    static func value(of key: String, in item: [Substring]) -> String? {
        for line in item {
            var rest = line[...]
            while let range = rest.firstRange(of: key + ": ") {
                let before = rest[..<range.lowerBound].last ?? line[..<range.lowerBound].last
                rest = rest[range.upperBound...]
                guard before == nil || " -{,".contains(before!) else { continue }
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    return rest.dropFirst().firstIndex(of: quote).map { String(rest.dropFirst()[..<$0]) }
                }
                return String(rest.prefix { !" ,}#".contains($0) })
            }
        }
        return nil
    }
}

/// One file's versions (newest first), each read once into its declarations by type and id.
struct Declarations {
    let versions: [GitFileVersion]
    let blocks: [[String: [Substring]]]

    init(_ versions: [GitFileVersion]) {
        self.versions = versions
        blocks = versions.map { version in
            version.contents.map { StatusHistory.blocks(in: String(decoding: $0, as: UTF8.self)) } ?? [:]
        }
    }

    static func key(_ type: String, _ id: String) -> String { type + "\u{0}" + id }

    func commits(changing resource: DesiredResource) -> [GitFileVersion] {
        guard case .id(let id) = resource.identity else { return [] }
        let key = Self.key(resource.type, id)
        var out: [GitFileVersion] = []
        for (n, version) in versions.enumerated() {
            guard let block = blocks[n][key] else { break }  // older than its declaration
            if block != (n + 1 < blocks.count ? blocks[n + 1][key] : nil) { out.append(version) }
        }
        return out
    }
}
