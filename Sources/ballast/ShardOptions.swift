import ArgumentParser
import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials

/// `--shard I/N` (drift, plan): check one stable slice of the resources, for a CI matrix
/// or an indexed job; `--shards N` takes I from the engine (Kubernetes Indexed Jobs'
/// JOB_COMPLETION_INDEX, AWS Batch's AWS_BATCH_JOB_ARRAY_INDEX). `ballast report merge` joins them.
struct ShardOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Check only shard I of N (1-based), a stable slice by environment and "
        + "resource; join the shards' --out-json reports with `ballast report merge`.", valueName: "I/N"))
    var shard: String?

    @Option(name: .long, help: ArgumentHelp("Shard count when the index comes from the engine "
        + "(JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX; 0-based there).", valueName: "N"))
    var shards: Int?

    func validate() throws {
        if let shard, Shard(shard) == nil {
            throw ValidationError("--shard takes I/N with 1 <= I <= N, like 2/8, not '\(shard)'")
        }
        if shard != nil, shards != nil { throw ValidationError("give --shard I/N or --shards N, not both") }
        if let shards {
            guard shards >= 1 else { throw ValidationError("--shards takes a count of at least 1") }
            guard Shard.fromEngine(shards: shards, environment: ProcessInfo.processInfo.environment) != nil else {
                throw ValidationError("--shards \(shards) needs the shard index from JOB_COMPLETION_INDEX or "
                    + "AWS_BATCH_JOB_ARRAY_INDEX (0 to \(shards - 1)); elsewhere use --shard I/N")
            }
        }
    }

    var selected: Shard? {
        shard.flatMap(Shard.init) ?? Shard.fromEngine(shards: shards, environment: ProcessInfo.processInfo.environment)
    }

    /// The loaded state cut to the shard (all of it without one; loaded `keeping` the shard, already
    /// its share). More shards than resources is refused (exit 1): such a split checks nothing in some
    /// shard by construction.
    func slice(_ loaded: LoadedState) throws -> LoadedState {
        guard let selected else { return loaded }
        let total = max(loaded.declaredResources, loaded.state.resourceCount)
        var sliced = loaded
        sliced.state = selected.slice(loaded.state)
        let mine = sliced.state.environments.reduce(0) { $0 + $1.resources.count }
        if selected.count > max(total, 1) {
            Terminal.error("--shard \(selected.description): \(selected.count) shards for \(total) resource(s); "
                + "use at most \(max(total, 1)) shards")
            throw Failure.error
        }
        if mine == 0 {  // a stable hash can leave one shard empty; the merge still needs its report
            Terminal.note("shard \(selected.description) holds none of the \(total) resource(s)")
        }
        return sliced
    }
}
