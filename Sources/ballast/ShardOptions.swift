import ArgumentParser
import BallastCore
import BallastEngine
import Foundation

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

    /// The loaded state cut to the shard (all of it without one).
    func slice(_ loaded: LoadedState) -> LoadedState {
        guard let selected else { return loaded }
        var sliced = loaded
        sliced.state = selected.slice(loaded.state)
        return sliced
    }
}
