import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Makes each kind's fixture from the emulator: `BALLAST_UPDATE_FIXTURES=1 swift test --filter
/// KindFixtureRecording`. The apply cases' live resource is seeded drifted, the engine applies and
/// reads again through a recording port, and what moto (and the stand-ins) answered, with what the
/// engine made of it, is written to the kind's folder (`Tests/BallastTestSupport/Kinds/LogGroup/fixture.json`).
/// `KindFixtureTests` replays it.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BALLAST_UPDATE_FIXTURES"] == "1"))
struct KindFixtureRecording {
    @Test(arguments: KindMaterial.all)
    func record(_ kind: KindMaterial) async throws {
        try await record(kind, environment: Fixture.environment)
    }

    /// Ballast's own calls too: a log group in an environment with a lock table (the lock, the
    /// journal's items, the holds read), kept as `lock-table.json`.
    @Test func recordWithALockTable() async throws {
        let table = try await createLockTable()
        let kind = try #require(KindMaterial.of("AWS::Logs::LogGroup"))
        try await record(kind, environment: Fixture.environment + "lockTable: \(table)\n", name: "lock-table")
    }

    func record(_ kind: KindMaterial, environment: String, name: String? = nil) async throws {
        let id = kind.apply.id()
        try await kind.apply.seedFirst?(id)
        guard case .map(let live) = kind.apply.live else { return }
        let created = try await seeder().create(kind.type, id: id, live)
        let desired = "  - {type: \(kind.type), id: \"\(created)\", properties: \(kind.apply.desired)}\n"
        let setup = AWSSetup(environment: MotoServer.shared.environment)
        let log = Locked<[RecordingAWS.Entry]>([])
        let repo = try TempRepository.desiredState(desired, environment: environment)
        let outcome = try await KindFixture.exercise(repo) { region, role in
            RecordingAWS(setup.client(region: region, role: role), log: log)
        }
        let fixture = KindFixture(type: kind.type, name: name, desired: desired, environment: environment,
                                  answers: log.current, outcome: outcome, calls: log.current.map(\.call.json))
        #expect(outcome["changes"]?.list?.isEmpty == false, "\(kind.type): \(JSON.encode(outcome))")
        try fixture.write()
    }
}
