import BallastCore
import BallastKinds
import BallastGit
import BallastYAML

/// What to read: a repository, a revision or the working tree, some environments.
public struct LoadRequest: Sendable {
    public var repositoryPath: String
    public var revision: String
    public var worktree: Bool
    /// Empty means every environment.
    public var environments: [String]
    /// Registry schemas built besides those of the types the files name (`import --type`); nil builds
    /// every schema in `schemas/` (`import` of every type).
    public var registryTypes: Set<String>? = []
    /// Only the resources this keeps (a shard's, `--shard I/N`): the others are read, checked (a duplicate
    /// across environments is found whichever shard holds it) and let go one environment at a time, so a
    /// shard's memory follows its own share, not the repository's size. Nil keeps every resource.
    public var keep: (@Sendable (DesiredResource) -> Bool)?

    public init(repositoryPath: String, revision: String = "HEAD", worktree: Bool = false, environments: [String] = [],
                registryTypes: Set<String>? = [], keep: (@Sendable (DesiredResource) -> Bool)? = nil) {
        self.repositoryPath = repositoryPath
        self.revision = revision
        self.worktree = worktree
        self.environments = environments
        self.registryTypes = registryTypes
        self.keep = keep
    }
}

/// The desired state of one revision, and every mistake found reading it.
public struct LoadedState: Sendable {
    /// Where the repository is (working tree root, or the bare repository).
    public var repositoryRoot: String
    public var isBare: Bool
    /// The `.git` directory (the repository itself when bare): where lock files go.
    public var gitDirectory: String
    /// The commit read; with `--worktree`, the HEAD the working tree sits on.
    public var commit: GitCommit?
    /// HEAD when the load ran (rollback records where it rolled back from).
    public var head: GitCommit?
    public var fromWorktree: Bool
    public var state: DesiredState
    public var policyFiles: [ParsedFile]
    public var policies: PolicySet
    /// Every environment folder in the tree, before `--env` filtering.
    public var availableEnvironments: [String]
    /// The registry schemas in `schemas/`, of types read through Cloud Control.
    public var registry: [RegistrySchema]
    /// This revision's one registry: the build's kinds, and a Cloud Control kind per registry schema of
    /// a type none of them covers. The state was decoded with it; everything after reads and writes with it.
    public var kinds: Kinds
    /// The kinds' schemas (`kinds.schemas`).
    public var schemas: KindSchemas { kinds.schemas }
    public var diagnostics: [Diagnostic]
    /// Things the user should know that are not mistakes (an uncommitted change).
    public var notes: [String]
    /// Resources the files declare, those `LoadRequest.keep` let go included.
    public var declaredResources = 0

    /// The full commit id for reports; `+worktree` when uncommitted files were read.
    public var revision: String {
        let sha = commit?.sha ?? "(no commits)"
        return fromWorktree ? sha + "+worktree" : sha
    }

    /// `3f2c9a1e4b5d` or `3f2c9a1e4b5d+worktree`.
    public var revisionLabel: String {
        let sha = commit?.shortSHA ?? "(no commits)"
        return fromWorktree ? sha + "+worktree" : sha
    }
}

public struct DecodedFiles: Sendable {
    public var state: DesiredState
    public var policyFiles: [ParsedFile]
    public var policies: PolicySet
    public var availableEnvironments: [String]
    public var registry: [RegistrySchema]
    public var kinds: Kinds
    public var diagnostics: [Diagnostic]
    /// Resources the files declare, those not kept included.
    public var declaredResources = 0
}

/// A problem that stops loading before any file is read: not a repository,
/// unknown revision, no `desired-state/`.
public struct LoadError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}

/// Reads the desired state through libgit2 (or from the working tree), parses
/// YAML, decodes against every kind's schema, and collects all mistakes.
public struct DesiredStateLoader: Sendable {
    let kinds: Kinds

    /// `kinds`: the build's (`Kinds.builtIn`); each load adds the revision's registry schemas to them.
    public init(kinds: Kinds) {
        self.kinds = kinds
    }

    public func load(_ request: LoadRequest) throws(LoadError) -> LoadedState {
        let repository = try gitStep { () throws(GitError) in
            try GitRepository(discoveringFrom: request.repositoryPath)
        }
        let root = repository.workdir ?? repository.gitDirectory
        let head = try? repository.commit("HEAD")
        let files: SourceFiles
        let commit: GitCommit?
        if request.worktree {
            guard let workdir = repository.workdir else {
                throw LoadError("--worktree: \(root) is a bare repository; it has no working tree")
            }
            files = SourceFiles.worktree(at: workdir)
            commit = head
        } else {
            let resolved = try gitStep { () throws(GitError) in try repository.commit(request.revision) }
            files = try gitStep { () throws(GitError) in try SourceFiles.committed(repository, resolved) }
            commit = resolved
        }
        let notes = try worktreeNote(repository, head: head, read: files, fromWorktree: request.worktree,
                                     readHead: commit == head).map { [$0] } ?? []
        guard files.desiredState != nil else {
            let at =
                request.worktree
                ? "the working tree of \(root)" : "revision \(request.revision) (\(commit?.shortSHA ?? "?"))"
            throw LoadError("no \(SourceFiles.desiredStateFolder)/ folder in \(at)")
        }

        let decoded = try decode(files, environments: request.environments, registryTypes: request.registryTypes,
                                 keep: request.keep)
        let unreadable = files.unreadable
        _ = consume files   // the files' bytes let go before the reads
        guard !decoded.availableEnvironments.isEmpty else {
            let skipped = unreadable.keys.sorted().map { "\($0) is \(unreadable[$0]!)" }
            throw LoadError(
                "no environments under \(SourceFiles.desiredStateFolder)/: add a folder per environment, each "
                    + "with an environment.yaml"
                    + (skipped.isEmpty ? "" : " (" + skipped.joined(separator: "; ") + ")"))
        }
        // A shard let go of most of what it read (the files, their trees, the other shards' resources): the
        // allocator's free pages go back to the system before the reads, which would otherwise grow on top.
        if request.keep != nil { FreePages.giveBack() }
        return LoadedState(
            repositoryRoot: root, isBare: repository.isBare, gitDirectory: repository.gitDirectory, commit: commit,
            head: head,
            fromWorktree: request.worktree, state: decoded.state, policyFiles: decoded.policyFiles,
            policies: decoded.policies,
            availableEnvironments: decoded.availableEnvironments, registry: decoded.registry,
            kinds: decoded.kinds, diagnostics: decoded.diagnostics,
            notes: notes + decoded.registry.flatMap(\.notes), declaredResources: decoded.declaredResources)
    }

    /// When the working tree differs from HEAD under the folders ballast reads,
    /// say so: which one was read, and the flag that reads the other. libgit2
    /// compares sizes and blob ids, so nothing large is read to say it.
    func worktreeNote(_ repository: GitRepository, head: GitCommit?, read files: SourceFiles,
                      fromWorktree: Bool, readHead: Bool) throws(LoadError) -> String? {
        guard repository.workdir != nil, fromWorktree || readHead else { return nil }
        let folders = [SourceFiles.desiredStateFolder, SourceFiles.policiesFolder, RegistrySchema.folder]
        let changed: [String]
        if let head {
            changed = try gitStep { () throws(GitError) in
                try repository.changedInWorkingTree(under: folders, comparedTo: head)
            }
        } else {
            changed = files.changedPaths(comparedTo: SourceFiles(desiredState: nil))
        }
        guard !changed.isEmpty else { return nil }
        if fromWorktree {
            return
                "reading the working tree (--worktree): \(describe(changed)) "
                    + "\(changed.count == 1 ? "differs" : "differ") from HEAD"
        }
        return
            "the working tree has uncommitted changes in \(describe(changed)); they are not read (pass "
                + "--worktree to read them)"
    }

    /// Runs a libgit2 step; its error becomes the one-line load error.
    func gitStep<T>(_ body: () throws(GitError) -> T) throws(LoadError) -> T {
        do { return try body() } catch { throw LoadError(error.message) }
    }

    /// The part of loading that needs no repository: files in, desired state and mistakes out.
    public func decode(_ files: SourceFiles, environments wanted: [String] = [],
                       registryTypes extra: Set<String>? = [],
                       keep: (@Sendable (DesiredResource) -> Bool)? = nil) throws(LoadError) -> DecodedFiles {
        var diagnostics = Diagnostics()
        for (path, what) in files.unreadable.sorted(by: { $0.key < $1.key }) {
            diagnostics.add(
                SourceLocation(file: path),
                "not read: it is \(what); ballast reads the YAML files in this "
                    + "repository itself")
        }
        let (sources, available) = try environmentSources(files.desiredState ?? [:], only: wanted,
                                                          diagnostics: &diagnostics)
        // Every environment parsed at once, or (keeping some resources) one at a time, twice: first for the
        // types its files name, then to decode it and let go of what is not kept.
        let parsed = keep == nil ? sources.map { parseFolder($0, diagnostics: &diagnostics) } : nil
        let policyFiles = parse(files.policies.filter { isYAML($0.key) }, diagnostics: &diagnostics)
        // Only the schemas of types the read files name are built: every other file in `schemas/` costs nothing.
        var named = Self.typesNamed(in: policyFiles).union(extra ?? [])
        if let parsed {
            named.formUnion(Self.typesNamed(in: parsed.flatMap { $0.resourceFiles }))
        } else {
            var ignored = Diagnostics()   // said in the second reading
            for source in sources {
                named.formUnion(Self.typesNamed(in: parseFolder(source, diagnostics: &ignored).resourceFiles))
            }
        }
        let paths = Set(named.map(RegistrySchema.path(for:)))
        let used = extra == nil ? files.schemas : files.schemas.filter { paths.contains($0.key) }
        let registry = registrySchemas(used, diagnostics: &diagnostics)
        let kinds = kinds.adding(registry)
        let assembler = DesiredStateAssembler(kinds: kinds.all)
        // An environment at a time: its duplicates checked against every earlier one, then cut to what is kept.
        var environments: [Environment] = [], duplicates = DuplicateCheck(), declared = 0
        for (index, source) in sources.enumerated() {
            let folder = parsed?[index] ?? parseFolder(source, diagnostics: &diagnostics)
            for var environment in assembler.assemble([folder], diagnostics: &diagnostics, duplicates: false)
                .environments {
                diagnostics.add(contentsOf: duplicates.add(environment))
                declared += environment.resources.count
                // A new array, not removeAll: that keeps the whole environment's capacity.
                if let keep { environment.resources = environment.resources.filter(keep) }
                environments.append(environment)
            }
        }
        let state = DesiredState(environments: environments)
        let policies = PolicyDecoder.decode(policyFiles, resources: assembler.decoder, diagnostics: &diagnostics)
        return DecodedFiles(
            state: state, policyFiles: policyFiles, policies: policies, availableEnvironments: available,
            registry: registry, kinds: kinds, diagnostics: diagnostics.sorted, declaredResources: declared)
    }

    /// The CloudFormation type names that files' `type:` keys name, at any depth.
    static func typesNamed(in files: [ParsedFile]) -> Set<String> {
        var found: Set<String> = []
        var stack = files.flatMap(\.documents)
        while let node = stack.popLast() {
            switch node.content {
            case .scalar: continue
            case .sequence(let items): stack += items
            case .mapping(let entries):
                for entry in entries {
                    if entry.key == "type", case .string(let type)? = entry.value.scalar,
                       RegistrySchema.isTypeName(type) { found.insert(type) }
                    stack.append(entry.value)
                }
            }
        }
        return found
    }

    /// The registry schemas under `schemas/`, each at the path its type names. A schema of a type
    /// with a native kind is read too, and not used: the native kind reads the type.
    func registrySchemas(_ files: [String: [UInt8]], diagnostics: inout Diagnostics) -> [RegistrySchema] {
        files.keys.sorted().compactMap { path in
            do throws(Diagnostic) { return try RegistrySchema.parse(files[path]!, file: path) } catch {
                diagnostics.add(contentsOf: [error])
                return nil
            }
        }
    }

    /// One environment folder's files, not parsed yet.
    struct EnvironmentSource {
        var name: String
        var folder: String
        var files: [String: [UInt8]]
    }

    /// Groups files by environment folder (`desired-state/<env>/...`).
    func environmentSources(_ files: [String: [UInt8]], only wanted: [String],
                            diagnostics: inout Diagnostics) throws(LoadError) -> ([EnvironmentSource], [String]) {
        var byEnvironment: [String: [String: [UInt8]]] = [:]
        let prefix = SourceFiles.desiredStateFolder + "/"
        for (path, bytes) in files where isYAML(path) {
            let parts = path.dropFirst(prefix.count).split(separator: "/")
            guard parts.count >= 2 else {
                diagnostics.add(SourceLocation(file: path),
                                "resource files belong in an environment folder (\(prefix)<environment>/)")
                continue
            }
            byEnvironment[String(parts[0]), default: [:]][path] = bytes
        }
        let available = byEnvironment.keys.sorted()
        for name in wanted where byEnvironment[name] == nil {
            throw LoadError("unknown environment '\(name)'" + Suggestion.hint(for: name, in: available)
                + "; environments: " + (available.isEmpty ? "none" : available.joined(separator: ", ")))
        }
        let selected = wanted.isEmpty ? available : available.filter(wanted.contains)
        let sources = selected.map { name in
            let folder = prefix + name
            var envFiles = byEnvironment[name]!
            let (long, short) = (folder + "/environment.yaml", folder + "/environment.yml")
            if envFiles[long] != nil, envFiles.removeValue(forKey: short) != nil {
                diagnostics.add(SourceLocation(file: short), "both \(long) and \(short) exist; keep one")
            }
            return EnvironmentSource(name: name, folder: folder, files: envFiles)
        }
        return (sources, available)
    }

    /// An environment folder's files parsed: its environment.yaml and its resource files.
    func parseFolder(_ source: EnvironmentSource, diagnostics: inout Diagnostics) -> EnvironmentFiles {
        var envFiles = source.files
        let (long, short) = (source.folder + "/environment.yaml", source.folder + "/environment.yml")
        let envPath = envFiles.keys.first { $0 == long || $0 == short }
        let envBytes = envPath.flatMap { envFiles.removeValue(forKey: $0) }
        let environmentFile = envBytes.map { parse([envPath!: $0], diagnostics: &diagnostics).first }
        return EnvironmentFiles(name: source.name, folder: source.folder, environmentFile: environmentFile ?? nil,
                                resourceFiles: parse(envFiles, diagnostics: &diagnostics))
    }

    /// Parses each file; a file with a syntax error contributes its diagnostics only.
    func parse(_ files: [String: [UInt8]], diagnostics: inout Diagnostics) -> [ParsedFile] {
        files.keys.sorted().compactMap { path in
            let (documents, problems) = YAML.parse(files[path]!, file: path)
            diagnostics.add(contentsOf: problems)
            return problems.isEmpty ? ParsedFile(path: path, documents: documents) : nil
        }
    }

    func isYAML(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml")
    }

    func describe(_ paths: [String]) -> String {
        paths.count <= 3
            ? paths.joined(separator: ", ") : paths.prefix(3).joined(separator: ", ") + " and \(paths.count - 3) more"
    }
}
