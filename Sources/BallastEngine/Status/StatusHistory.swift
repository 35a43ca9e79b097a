import BallastCore
import BallastDesiredState
import BallastGit
import Foundation

/// The repository's side of each resource's history on the status page: the commits that last set the lines
/// of its declaration (blame at the commit read, one blame a file), and the writes ballast's journal recorded
/// for it. What the watch saw (drift episodes, CloudTrail events) it adds itself.
public enum StatusHistory {
    /// Entries kept a resource, newest first: a page stays short and a repository's age costs nothing.
    public static let perResource = 50

    public static func entries(_ loaded: LoadedState, keys: Set<ResourceKey>? = nil) -> [ResourceKey: [HistoryEntry]] {
        var out: [ResourceKey: [HistoryEntry]] = [:]
        let resources = loaded.state.environments.flatMap(\.resources).filter { keys?.contains($0.key) ?? true }
        if let git = try? GitRepository(discoveringFrom: loaded.repositoryRoot), let commit = loaded.commit {
            var blamed: [String: [Int: GitBlameLine]] = [:]
            for resource in resources {
                let file = resource.source.file
                if blamed[file] == nil { blamed[file] = (try? git.blameLines(file, at: commit)) ?? [:] }
                let lines = [resource.source.line] + resource.propertySources.values.map(\.line)
                var seen = Set<String>()
                for line in (lines.min() ?? 0)...(lines.max() ?? 0) {
                    guard let set = blamed[file]?[line], seen.insert(set.commit).inserted else { continue }
                    out[resource.key, default: []].append(HistoryEntry(
                        .commit, at: Date(timeIntervalSince1970: TimeInterval(set.time)), said: set.summary,
                        by: set.author, reference: set.commit))
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
}
