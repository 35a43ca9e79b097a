import BallastCore
import Foundation

/// Resources of every kind for scale tests and benchmarks: each as seeded in moto (live)
/// and as desired, drifted or not.
public enum ScaleFixture {
    /// One resource of a kind, as seeded (live) and as desired (drifted or not).
    public struct Item: Sendable {
        public let type: String
        /// The id to seed under; after `seed`, the one the seeder gave back (a WAF web ACL's
        /// `NAME|ID|SCOPE`, whose ID AWS chooses).
        public let id: String
        public let live: [String: Value]
        let properties: String
        public let drifted: Bool

        /// The resource's entry in a desired-state file.
        public var desired: String {
            "  - {type: \(type), id: \"\(id)\", properties: \(properties)}\(drifted ? "  # drifted" : "")\n"
        }

        func seeded(as id: String) -> Item {
            Item(type: type, id: id, live: live, properties: properties, drifted: drifted)
        }
    }

    /// Creates the live side, 16 at a time; tables first, as the scalable targets point at them.
    /// Returns the items, in their order, with the ids they were created under.
    /// A repository declaring `items` in one environment, `bench` (us-east-1, the emulator's account),
    /// committed: what the benchmarks plan, apply and watch.
    public static func repository(_ items: [Item]) throws -> TempRepository {
        let repo = try TempRepository()
        _ = try repo.commit(
            [
                "desired-state/bench/environment.yaml": "region: us-east-1\naccount: \"123456789012\"\n",
                "desired-state/bench/resources.yaml": "resources:\n" + items.map(\.desired).joined(),
            ], message: "bench")
        return repo
    }

    public static func seed(_ items: [Item], with seeder: LiveSeeder) async throws -> [Item] {
        var seeded = items
        let indices = Array(items.indices)
        let tables = indices.filter { items[$0].type == "AWS::DynamoDB::Table" }
        for wave in [tables, indices.filter { items[$0].type != "AWS::DynamoDB::Table" }] {
            // One-entry maps, not tuples (see `Reading.each`).
            try await withThrowingTaskGroup(of: [Int: String].self) { group in
                var next = wave.makeIterator()
                func start(_ index: Int) {
                    let item = items[index]
                    group.addTask { [index: try await seeder.create(item.type, id: item.id, item.live)] }
                }
                for _ in 0..<16 { if let index = next.next() { start(index) } }
                while let done = try await group.next() {
                    for (index, id) in done { seeded[index] = items[index].seeded(as: id) }
                    if let index = next.next() { start(index) }
                }
            }
        }
        return seeded
    }

    public static func item(
        _ type: String, _ id: String, _ live: [String: Value], _ desired: String, drifted: Bool
    ) -> Item {
        Item(type: type, id: id, live: live, properties: desired, drifted: drifted)
    }

    /// One generator per kind: (index, drifted) -> item (each kind's material has its own).
    public static var kinds: [@Sendable (Int, Bool) -> Item] { KindMaterial.all.map(\.scale) }

    /// `count` resources spread over the kinds; those `drifted` says differ from the desired state.
    public static func items(_ count: Int, drifted: (Int) -> Bool) -> [Item] {
        let perKind = count / kinds.count
        var items: [Item] = []
        for (k, kind) in kinds.enumerated() {
            let n = k < count % kinds.count ? perKind + 1 : perKind
            items += (0..<n).map { kind($0, drifted($0)) }
        }
        return items
    }
}
