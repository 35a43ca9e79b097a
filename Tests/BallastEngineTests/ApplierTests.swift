import BallastAWS
import BallastCore
import BallastEngine
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// The writer on moto: a failure starts nothing new unless told to go on, and then only the
/// failed resource's own later writes are skipped.
@Suite struct ApplierTests {
    /// One write in flight at a time for PutRetentionPolicy, so the order is the plan's.
    let setup = AWSSetup(environment: MotoServer.shared.environment,
                         rates: RequestRates(["logs:PutRetentionPolicy": .init(1, burst: 3)], fallback: .init(50)))

    func retention(_ id: String, to days: Int) -> PlannedChange {
        PlannedChange(ResourceKey(environment: "test", type: "AWS::Logs::LogGroup", id: id, region: "us-east-1"),
                      operation: APIOperation(.logs, "PutRetentionPolicy"),
                      set: ["/RetentionInDays": .init(from: 7, to: .int(days))],
                      kind: Kinds.builtIn.kind(for: "AWS::Logs::LogGroup"))
    }

    /// A missing group first (its write fails), then two that exist; the missing one has a second write.
    func changes() async throws -> [PlannedChange] {
        let folder = "/ballast/" + uniqueName("applier")
        for name in ["b", "c"] {
            try await seeder().create("AWS::Logs::LogGroup", id: "\(folder)/\(name)", ["RetentionInDays": 7])
        }
        return [retention("\(folder)/a", to: 30), retention("\(folder)/a", to: 60),
                retention("\(folder)/b", to: 30), retention("\(folder)/c", to: 30)]
    }

    @Test func aFailureStartsNothingNew() async throws {
        let setup = setup
        let applier = Applier(client: { _ in setup.client(region: "us-east-1") })
        let outcomes = await applier.apply(try await changes())
        #expect(outcomes.map(\.1.label) == ["failed", "not attempted", "not attempted", "not attempted"])
    }

    @Test func goingOnSkipsOnlyTheFailedResourcesOtherWrites() async throws {
        let setup = setup
        let outcomes = await Applier(client: { _ in setup.client(region: "us-east-1") })
            .apply(try await changes(), continueOnError: true)
        #expect(outcomes.map(\.1.label) == ["failed", "not attempted", "applied", "applied"])
    }
}

extension Applier.Outcome {
    var label: String {
        switch self {
        case .applied: "applied"
        case .failed: "failed"
        case .notAttempted: "not attempted"
        }
    }
}

/// The planner never drops a drift in silence.
@Suite struct PlannerTests {
    @Test func aDriftOfATypeNoKindWritesIsSaidNotDropped() throws {
        let resource = DesiredResource(type: "Test::Unknown::Thing", identity: .id("thing-1"), region: "us-east-1",
                                       environment: "test", properties: ["Size": .exact(2)],
                                       source: SourceLocation(file: "desired-state/test/things.yaml", line: 2,
                                                              column: 5))
        let drift = ResourceDrift(resource: resource, physicalId: "thing-1", status: .modified,
                                  differences: [PropertyDifference(path: "/Size", expected: 2, actual: 1,
                                                                   type: .notEqual)],
                                  live: ["Size": 1])
        let report = DriftReport(revision: "r", generatedAt: Date(), environments: [
            EnvironmentDrift(name: "test", region: "us-east-1", resources: [drift]),
        ])
        let plan = Planner.plan(report)
        #expect(plan.changes.isEmpty)
        #expect(plan.report.warnings.contains { $0.contains("Test::Unknown::Thing") && $0.contains("thing-1") },
                "\(plan.report.warnings)")
    }
}
