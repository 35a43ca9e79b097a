import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Makes each kind's fixture from the emulator: `BALLAST_UPDATE_FIXTURES=1 swift test --filter
/// KindFixtureRecording`. The apply cases' live resource is seeded drifted, the engine applies and
/// reads again through a recording port, and what moto (and the stand-ins) answered, with what the
/// engine made of it, is written to Tests/BallastEngineTests/KindFixtures. `KindFixtureTests` replays it.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BALLAST_UPDATE_FIXTURES"] == "1"))
struct KindFixtureRecording {
    @Test(arguments: ApplyKindTests.cases)
    func record(_ kind: ApplyKindTests.Case) async throws {
        let name = kind.id()
        try await kind.seedFirst?(name)
        guard case .map(let live) = kind.live else { return }
        let id = try await seeder().create(kind.type, id: name, live)
        let desired = "  - {type: \(kind.type), id: \"\(id)\", properties: \(kind.desired)}\n"
        let setup = AWSSetup(environment: MotoServer.shared.environment)
        let log = Locked<[RecordingAWS.Entry]>([])
        let outcome = try await KindFixture.exercise(try TempRepository.desiredState(desired)) { region, role in
            RecordingAWS(setup.client(region: region, role: role), log: log)
        }
        let fixture = KindFixture(type: kind.type, desired: desired, answers: log.current, outcome: outcome,
                                  calls: log.current.map(\.call.json))
        #expect(outcome["changes"]?.list?.isEmpty == false, "\(kind.type): \(JSON.encode(outcome))")
        try fixture.write()
    }
}
