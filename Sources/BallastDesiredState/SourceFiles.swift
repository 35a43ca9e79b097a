import BallastCore
import BallastGit
import FoundationEssentials
import Glibc

/// The files ballast reads: the YAML files under `desired-state/` and `policies/`,
/// keyed by repository-relative path, and what there could not be read as a file.
public struct SourceFiles: Sendable, Equatable {
    public static let desiredStateFolder = "desired-state"
    public static let policiesFolder = "policies"
    /// A desired-state or policy file larger than this is a mistake, and is not read.
    public static let maxFileBytes = 16 << 20

    public var desiredState: [String: [UInt8]]?
    public var policies: [String: [UInt8]]
    /// The registry schemas of types read through Cloud Control (`schemas/*.json`).
    public var schemas: [String: [UInt8]]
    /// Path -> what it is instead of a readable file: a submodule, a symbolic link, too large.
    public var unreadable: [String: String]

    public init(desiredState: [String: [UInt8]]?, policies: [String: [UInt8]] = [:], schemas: [String: [UInt8]] = [:],
                unreadable: [String: String] = [:]) {
        self.desiredState = desiredState
        self.policies = policies
        self.schemas = schemas
        self.unreadable = unreadable
    }

    /// From text, for tests and tools that build desired state in memory.
    public init(texts: [String: String]) {
        let bytes = texts.mapValues { Array($0.utf8) }
        self.init(desiredState: bytes.filter { $0.key.hasPrefix(Self.desiredStateFolder + "/") },
                  policies: bytes.filter { $0.key.hasPrefix(Self.policiesFolder + "/") },
                  schemas: bytes.filter { $0.key.hasPrefix(RegistrySchema.folder + "/") })
    }

    static func isYAML(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }

    static func isJSON(_ path: String) -> Bool { path.hasSuffix(".json") }

    /// The three folders as read, from a commit or from disk; what could not be read, from all three.
    private init(_ state: TreeFiles?, _ policies: TreeFiles?, _ schemas: TreeFiles?) {
        self.init(desiredState: state?.files, policies: policies?.files ?? [:], schemas: schemas?.files ?? [:],
                  unreadable: [state, policies, schemas].reduce(into: [:]) { all, tree in
                      all.merge(tree?.unreadable ?? [:]) { a, _ in a }
                  })
    }

    /// From a commit's tree, through libgit2, without a checkout.
    static func committed(_ repository: GitRepository, _ commit: GitCommit) throws(GitError) -> SourceFiles {
        SourceFiles(
            try repository.files(under: desiredStateFolder, at: commit, wanted: isYAML, maxBytes: maxFileBytes),
            try repository.files(under: policiesFolder, at: commit, wanted: isYAML, maxBytes: maxFileBytes),
            try repository.files(
                under: RegistrySchema.folder, at: commit, wanted: isJSON,
                maxBytes: RegistrySchema.maxBytes))
    }

    /// From the working tree as it is on disk, committed or not.
    static func worktree(at root: String) -> SourceFiles {
        SourceFiles(read(folder: desiredStateFolder, root: root), read(folder: policiesFolder, root: root),
                    read(folder: RegistrySchema.folder, root: root, wanted: isJSON, maxBytes: RegistrySchema.maxBytes))
    }

    /// Walks a folder without following links; sizes are checked before anything is read. Names
    /// are taken as bytes (POSIX `readdir`), so a file whose name is not UTF-8 is read and named by
    /// its bytes (`PathName`), never skipped or shown as U+FFFD.
    private static func read(folder: String, root: String, wanted: (String) -> Bool = isYAML,
                             maxBytes: Int = maxFileBytes) -> TreeFiles? {
        let base = Array((root + "/" + folder).utf8)
        guard let info = status(of: base), info.st_mode & S_IFMT == S_IFDIR else { return nil }
        var found = TreeFiles()
        walk(base, label: folder, depth: 0, wanted: wanted, maxBytes: maxBytes, into: &found)
        return found
    }

    /// Folders nested deeper than this are not walked (a mistake, named).
    static let maxDepth = 64

    private static func walk(_ path: [UInt8], label: String, depth: Int, wanted: (String) -> Bool, maxBytes: Int,
                             into found: inout TreeFiles) {
        guard depth < maxDepth else {
            found.unreadable[label] = "a folder nested deeper than \(maxDepth) levels"
            return
        }
        for name in entries(path) {
            let child = path + [UInt8(ascii: "/")] + name
            let relative = label + "/" + PathName.text(name)
            let info = status(of: child)
            switch info.map({ $0.st_mode & S_IFMT }) {
            case S_IFLNK:
                found.unreadable[relative] = "a symbolic link"
            case S_IFDIR:
                if status(of: child + Array("/.git".utf8)) != nil {
                    found.unreadable[relative] = "a submodule"
                } else {
                    walk(child, label: relative, depth: depth + 1, wanted: wanted, maxBytes: maxBytes, into: &found)
                }
            case S_IFREG where wanted(relative):
                let size = Int(info?.st_size ?? 0)
                if size > maxBytes {
                    found.unreadable[relative] = "\(size) bytes, over the \(maxBytes)-byte limit for a file"
                } else if let bytes = contents(child, size: size) {
                    found.files[relative] = bytes
                }
            default:
                continue
            }
        }
    }

    /// `path` with its terminating NUL, for the C calls.
    private static func withCPath<T>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (path + [0]).withUnsafeBufferPointer {
            body(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
        }
    }

    /// `lstat` (links not followed): type and size in one call; nil when there is nothing there.
    private static func status(of path: [UInt8]) -> stat? {
        var info = stat()
        return withCPath(path, { lstat($0, &info) }) == 0 ? info : nil
    }

    /// The names in a folder, as bytes, without `.` and `..`.
    private static func entries(_ path: [UInt8]) -> [[UInt8]] {
        guard let folder = withCPath(path, { opendir($0) }) else { return [] }
        defer { closedir(folder) }
        var names: [[UInt8]] = []
        while let entry = readdir(folder) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) {
                    Array(UnsafeBufferPointer(start: $0, count: strlen($0)))
                }
            }.map { UInt8(bitPattern: $0) }
            if name == [46] || name == [46, 46] { continue }
            names.append(name)
        }
        return names
    }

    /// At most `size` bytes of a regular file (its size was checked against the limit first).
    private static func contents(_ path: [UInt8], size: Int) -> [UInt8]? {
        let descriptor = withCPath(path) { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + done, size - done) }
            guard count > 0 else { break }
            done += count
        }
        return Array(bytes.prefix(done))
    }

    /// Paths whose content differs between two readings (added, changed or removed).
    func changedPaths(comparedTo other: SourceFiles) -> [String] {
        let mine = [policies, schemas].reduce(desiredState ?? [:]) { $0.merging($1) { a, _ in a } }
        let theirs = [other.policies, other.schemas].reduce(other.desiredState ?? [:]) { $0.merging($1) { a, _ in a } }
        return Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] }.sorted()
    }
}
