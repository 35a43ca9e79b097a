import BallastGit
import Foundation

/// The files ballast reads: everything under `desired-state/` and `policies/`,
/// keyed by repository-relative path.
public struct SourceFiles: Sendable, Equatable {
    public static let desiredStateFolder = "desired-state"
    public static let policiesFolder = "policies"

    public var desiredState: [String: [UInt8]]?
    public var policies: [String: [UInt8]]

    public init(desiredState: [String: [UInt8]]?, policies: [String: [UInt8]] = [:]) {
        self.desiredState = desiredState
        self.policies = policies
    }

    /// From text, for tests and tools that build desired state in memory.
    public init(texts: [String: String]) {
        let bytes = texts.mapValues { Array($0.utf8) }
        self.init(desiredState: bytes.filter { $0.key.hasPrefix(Self.desiredStateFolder + "/") },
                  policies: bytes.filter { $0.key.hasPrefix(Self.policiesFolder + "/") })
    }

    /// From a commit's tree, through libgit2, without a checkout.
    static func committed(_ repository: GitRepository, _ commit: GitCommit) throws(GitError) -> SourceFiles {
        SourceFiles(desiredState: try repository.files(under: desiredStateFolder, at: commit),
                    policies: try repository.files(under: policiesFolder, at: commit) ?? [:])
    }

    /// From the working tree as it is on disk, committed or not.
    static func worktree(at root: String) -> SourceFiles {
        SourceFiles(desiredState: read(folder: desiredStateFolder, root: root),
                    policies: read(folder: policiesFolder, root: root) ?? [:])
    }

    private static func read(folder: String, root: String) -> [String: [UInt8]]? {
        let base = URL(fileURLWithPath: root).appendingPathComponent(folder)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        else { return nil }
        var files: [String: [UInt8]] = [:]
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  let data = FileManager.default.contents(atPath: url.path) else { continue }
            let relative = url.standardizedFileURL.path.dropFirst(base.standardizedFileURL.path.count)
            files[folder + relative] = Array(data)
        }
        return files
    }

    /// Paths whose content differs between two readings (added, changed or removed).
    func changedPaths(comparedTo other: SourceFiles) -> [String] {
        let mine = (desiredState ?? [:]).merging(policies) { a, _ in a }
        let theirs = (other.desiredState ?? [:]).merging(other.policies) { a, _ in a }
        return Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }
}
