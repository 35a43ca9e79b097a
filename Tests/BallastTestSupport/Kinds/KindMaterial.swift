import BallastCore
import Foundation

/// One kind's test material, all in the kind's folder here (`Kinds/LogGroup/`): how the seeder makes
/// one live (moto, or the kind's stand-in where moto lacks its operations), its apply case
/// (`ApplyKindTests` runs it against moto; `KindFixtureRecording` records it as the folder's
/// `fixture.json`, which `KindFixtureTests` replays against the in-memory AWS), and its resources in
/// the scale fixture (scale tests and benchmarks). A kind of the registry without one fails
/// `KindCoverageTests`.
public struct KindMaterial: Sendable, CustomStringConvertible {
    public let type: String
    let seed: LiveSeeder.Creator
    public let apply: ApplyCase
    /// One resource of the scale fixture: (index, drifted) -> item.
    public let scale: @Sendable (_ index: Int, _ drifted: Bool) -> ScaleFixture.Item
    /// The kind's folder.
    public let folder: String

    /// `file` is the declaring file: the kind's folder is where it is.
    init(
        type: String, seed: @escaping LiveSeeder.Creator, apply: ApplyCase,
        scale: @escaping @Sendable (Int, Bool) -> ScaleFixture.Item, file: String = #filePath
    ) {
        self.type = type
        self.seed = seed
        self.apply = apply
        self.scale = scale
        folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
    }

    /// The recorded fixture: `Kinds/LogGroup/fixture.json`.
    public var fixture: String { folder + "/fixture.json" }

    public var description: String { type }

    /// Every kind's, one line each; the scale fixture spreads its resources over them in this order.
    public static let all: [KindMaterial] = [
        .autoScalingGroup, .ecsService, .dynamoDBTable, .scalableTarget, .lambdaFunction, .logGroup, .cloudWatchAlarm,
        .rotationSchedule, .kmsKey, .dbInstance, .s3Bucket, .timestreamTable, .eventsRule, .sqsQueue, .wafv2WebACL,
        .apiGatewayStage, .apiGatewayV2Stage, .budgetsBudget, .elastiCacheReplicationGroup, .lambdaAlias,
    ]

    /// The material of a type, when a kind of the registry has it.
    public static func of(_ type: String) -> KindMaterial? { all.first { $0.type == type } }
}

/// A kind's apply case: its live resource (seeded drifted) and the desired properties.
public struct ApplyCase: Sendable {
    /// A fresh id for each run.
    public let id: @Sendable () -> String
    public let live: Value
    /// The resource's `properties:` in flow YAML.
    public let desired: String
    /// What must exist before the resource (a scalable target's table).
    public let seedFirst: (@Sendable (String) async throws -> Void)?

    init(
        id: @escaping @Sendable () -> String, live: Value, desired: String,
        seedFirst: (@Sendable (String) async throws -> Void)? = nil
    ) {
        self.id = id
        self.live = live
        self.desired = desired
        self.seedFirst = seedFirst
    }
}
