/// One of N slices of the desired resources (`--shard I/N`), for spreading a run over
/// a CI matrix or an indexed job. A resource's slice depends only on its key (environment,
/// type, region and identity; FNV-1a), so a rerun or a resource added elsewhere never moves it.
public struct Shard: Sendable, Equatable {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// `2/8`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// The shard from the engine running this process when `--shard` is not given: a Kubernetes
    /// Indexed Job (`JOB_COMPLETION_INDEX`, 0-based, with `--shards N`) or an AWS Batch array job
    /// (`AWS_BATCH_JOB_ARRAY_INDEX`, 0-based, with `--shards N`). Nil when neither applies.
    public static func fromEngine(shards: Int?, environment: [String: String]) -> Shard? {
        guard let shards else { return nil }
        let index = environment["JOB_COMPLETION_INDEX"] ?? environment["AWS_BATCH_JOB_ARRAY_INDEX"]
        return index.flatMap(Int.init).flatMap { Shard(index: $0 + 1, count: shards) }
    }

    public func contains(_ resource: DesiredResource) -> Bool {
        Self.slot(resource, of: count) == index
    }

    /// The 1-based shard of N that `resource` belongs to.
    public static func slot(_ resource: DesiredResource, of count: Int) -> Int {
        slot(resource.key.text, of: count)
    }

    /// The state with only this shard's resources (environments keep their settings).
    public func slice(_ state: DesiredState) -> DesiredState {
        var sliced = state
        for index in sliced.environments.indices {
            sliced.environments[index].resources.removeAll { !contains($0) }
        }
        return sliced
    }

    static func slot(_ key: String, of count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int(hash % UInt64(count)) + 1
    }

    public var json: Value { ["index": .int(index), "count": .int(count)] }
}
