import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Plan then apply for every kind against moto: the writes land, the read-back
/// verifies them, and drift is clean afterwards.
@Suite struct ApplyKindTests {
    /// Every kind's apply case, kept with the rest of its test material (`KindMaterial`).
    static let cases = KindMaterial.all

    @Test(arguments: cases)
    func planThenApplyConverges(_ kind: KindMaterial) async throws {
        let name = kind.apply.id()
        try await kind.apply.seedFirst?(name)
        guard case .map(let live) = kind.apply.live else { return }
        let id = try await seeder().create(kind.type, id: name, live)
        let repo = try TempRepository.desiredState(
            "  - {type: \(kind.type), id: \"\(id)\", properties: \(kind.apply.desired)}\n")
        // Every request ballast sends is kept and checked against botocore's model of its operation.
        let recorder = try RequestRecorder()
        let environment = recorder.environment

        let plan = try Run.ballast(["plan", "--repo", repo.path, "--output", "json"], environment: environment)
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        let planned = try JSON.parse(plan.stdout)["changes"]?.list ?? []
        #expect(!planned.isEmpty)

        let apply = try Run.ballast(["apply", "--auto-approve", "--repo", repo.path], environment: environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(
            apply.stdout.contains(
                "Apply: \(planned.count) of \(planned.count) changes applied, \(planned.count) verified"))

        let drift = try Run.ballast(["drift", "--repo", repo.path], environment: environment)
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")

        let checked = try recorder.violations(checker: Self.checker)
        #expect(checked.problems == [], "\(kind.type): \(checked.summary)")
        print("\(kind.type): \(checked.summary) against botocore's models, \(checked.problems.count) violations")
    }

    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Contracts/check_requests.py").path
}
