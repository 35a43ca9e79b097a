import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials

/// Load, refuse mistakes, read live values, plan: shared by plan, apply, rollback and revert.
enum Planning {
    static func load(_ source: RepositoryOptions, keeping shard: Shard? = nil) throws -> LoadedState {
        let loaded = try Failure.guarding { try source.load(keeping: shard) }
        try Failure.refuseMistakes(loaded)
        return loaded
    }

    static func read(_ loaded: LoadedState, setup: AWSSetup, guardWindow: TimeInterval = 3_600) async throws -> Plan {
        let progress = Progress(label: "reading live settings")
        var detector = detector(setup, progress: progress.update(environment:read:total:))
        detector.holdKey = try RunContext.key()
        let plan = await Planner.plan(loaded, detector: detector, now: try RunContext.clock()(),
                                      guardWindow: guardWindow)
        progress.finish()
        for warning in plan.report.warnings { Terminal.note(warning) }
        return plan
    }

    static func detector(_ setup: AWSSetup,
                         progress: @escaping DriftDetector.ReadProgress = { _, _, _ in }) -> DriftDetector {
        DriftDetector(kinds: builtInKinds, clients: setup.clients, lockTables: setup.lockTables, progress: progress)
    }

    /// The account the plan is made in, for the plan file; nil when STS cannot say.
    static func account(_ loaded: LoadedState, setup: AWSSetup) async -> String? {
        await AccountGuard.planAccount(loaded.state, clients: { setup.client(region: $0, role: $1) })
    }
}
