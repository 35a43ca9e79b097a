import ArgumentParser
import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials

/// The options every command takes: where the desired state comes from.
struct RepositoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The git repository (default: the one around the current directory).",
                                            valueName: "path"))
    var repo: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only this environment (repeat or comma-separate for several; default: all).",
            valueName: "name"))
    var env: [String] = []

    @Option(name: .long, help: ArgumentHelp("The git revision to read: sha, tag, branch, HEAD~2.", valueName: "rev"))
    var revision: String?

    @Flag(name: .long, help: "Read the working tree's uncommitted files instead of a revision.")
    var worktree = false

    func validate() throws {
        if worktree, revision != nil {
            throw ValidationError("--worktree reads the working tree; it cannot be combined with --revision")
        }
    }

    var request: LoadRequest {
        LoadRequest(repositoryPath: repo ?? FileManager.default.currentDirectoryPath,
                    revision: revision ?? "HEAD",
                    worktree: worktree,
                    environments: env.flatMap { $0.split(separator: ",").map(String.init) })
    }

    /// Loads the desired state, printing notes (uncommitted changes) on stderr. With `shard`, only its
    /// resources are kept (the rest read, checked and let go: a shard's memory is its share's).
    func load(keeping shard: Shard? = nil) throws -> LoadedState {
        var request = request
        if let shard { request.keep = { shard.contains($0) } }
        return try Self.load(request)
    }

    /// HEAD's desired state of some environments: for commands that only need the environments' settings.
    static func head(repo: String?, environments: [String]) throws -> LoadedState {
        try load(
            LoadRequest(repositoryPath: repo ?? FileManager.default.currentDirectoryPath, environments: environments))
    }

    static func load(_ request: LoadRequest) throws -> LoadedState {
        let loaded = try DesiredStateLoader(kinds: builtInKinds).load(request)
        for note in loaded.notes { Terminal.note(note) }
        return loaded
    }
}
