import BallastGit
import Foundation

/// The files ballast reads: the YAML files under `desired-state/` and `policies/`,
/// keyed by repository-relative path, and what there could not be read as a file.
public struct SourceFiles: Sendable, Equatable {
    public static let desiredStateFolder = "desired-state"
    public static let policiesFolder = "policies"
    /// A desired-state or policy file larger than this is a mistake, and is not read.
    public static let maxFileBytes = 16 << 20

    public var desiredState: [String: [UInt8]]?
    public var policies: [String: [UInt8]]
    /// Path -> what it is instead of a readable file: a submodule, a symbolic link, too large.
    public var unreadable: [String: String]

    public init(desiredState: [String: [UInt8]]?, policies: [String: [UInt8]] = [:], unreadable: [String: String] = [:]) {
        self.desiredState = desiredState
        self.policies = policies
        self.unreadable = unreadable
    }

    /// From text, for tests and tools that build desired state in memory.
    public init(texts: [String: String]) {
        let bytes = texts.mapValues { Array($0.utf8) }
        self.init(desiredState: bytes.filter { $0.key.hasPrefix(Self.desiredStateFolder + "/") },
                  policies: bytes.filter { $0.key.hasPrefix(Self.policiesFolder + "/") })
    }

    static func isYAML(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }

    /// From a commit's tree, through libgit2, without a checkout.
    static func committed(_ repository: GitRepository, _ commit: GitCommit) throws(GitError) -> SourceFiles {
        let state = try repository.files(under: desiredStateFolder, at: commit, wanted: isYAML, maxBytes: maxFileBytes)
        let policies = try repository.files(under: policiesFolder, at: commit, wanted: isYAML, maxBytes: maxFileBytes)
        return SourceFiles(desiredState: state?.files, policies: policies?.files ?? [:],
                           unreadable: (state?.unreadable ?? [:]).merging(policies?.unreadable ?? [:]) { a, _ in a })
    }

    /// From the working tree as it is on disk, committed or not.
    static func worktree(at root: String) -> SourceFiles {
        let state = read(folder: desiredStateFolder, root: root)
        let policies = read(folder: policiesFolder, root: root)
        return SourceFiles(desiredState: state?.files, policies: policies?.files ?? [:],
                           unreadable: (state?.unreadable ?? [:]).merging(policies?.unreadable ?? [:]) { a, _ in a })
    }

    /// Walks a folder without following links; sizes are checked before anything is read.
    private static func read(folder: String, root: String) -> TreeFiles? {
        let base = URL(fileURLWithPath: root).appendingPathComponent(folder)
        var isDirectory: ObjCBool = false
        let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey, .isDirectoryKey, .fileSizeKey]
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: keys)
        else { return nil }
        var found = TreeFiles()
        for case let url as URL in walker {
            let relative = folder + url.standardizedFileURL.path.dropFirst(base.standardizedFileURL.path.count)
            guard let values = try? url.resourceValues(forKeys: Set(keys)) else { continue }
            if values.isSymbolicLink == true {
                found.unreadable[relative] = "a symbolic link"
            } else if values.isDirectory == true {
                if FileManager.default.fileExists(atPath: url.appendingPathComponent(".git").path) {
                    found.unreadable[relative] = "a submodule"
                    walker.skipDescendants()
                }
            } else if values.isRegularFile == true, isYAML(relative) {
                let size = values.fileSize ?? 0
                if size > maxFileBytes {
                    found.unreadable[relative] = "\(size) bytes, over the \(maxFileBytes)-byte limit for a file"
                } else if let data = FileManager.default.contents(atPath: url.path) {
                    found.files[relative] = Array(data)
                }
            }
        }
        return found
    }

    /// Paths whose content differs between two readings (added, changed or removed).
    func changedPaths(comparedTo other: SourceFiles) -> [String] {
        let mine = (desiredState ?? [:]).merging(policies) { a, _ in a }
        let theirs = (other.desiredState ?? [:]).merging(other.policies) { a, _ in a }
        return Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }
}
