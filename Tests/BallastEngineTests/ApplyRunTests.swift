import BallastAWS
import BallastCore
import BallastEngine
import BallastTestSupport
import Foundation
import Testing

/// `ApplyRun` with its collaborators injected: the clock, the confirmation, the lock.
@Suite struct ApplyRunTests {
    let group = "/ballast/" + uniqueName("run")

    /// A log group at 7 days desired at 30; `test` takes changes on Sundays 02:00-04:00 UTC.
    func harness() async throws -> ApplyHarness {
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n",
            environment: "region: us-east-1\nchangeWindows:\n  - {days: [Sun], start: \"02:00\", end: \"04:00\"}\n")
        return ApplyHarness(repo: repo)
    }

    func history(_ harness: ApplyHarness) throws -> [JournalEntry] {
        try Journal(repositoryPath: harness.repo.path).entries()
    }

    @Test func theWindowIsJudgedAtTheInjectedClock() async throws {
        let harness = try await harness()
        let monday = Timestamp.parse("2026-11-30T10:00:00Z")!, sunday = Timestamp.parse("2026-11-29T03:00:00Z")!
        let refused = await harness.run(clock: { monday }).run(try harness.loaded(), ApplyRequest())
        guard case .refused(.outsideWindows(let refusals)) = refused else {
            throw TestFailure("not refused: \(refused)")
        }
        #expect(
            refusals == [
                "test is outside its change windows (Sun 02:00-04:00, UTC); the next opens Sun 2026-12-06 02:00 UTC"
            ])
        #expect(try await liveRetention(group) == 7)
        #expect(try history(harness).isEmpty)

        let applied = await harness.run(clock: { sunday }).run(try harness.loaded(), ApplyRequest())
        #expect(applied.entry?.outcome == .applied)
        #expect(applied.entry?.time == sunday)
        #expect(try await liveRetention(group) == 30)
    }

    @Test func aDeclinedConfirmationWritesAndJournalsNothing() async throws {
        let harness = try await harness()
        let asked = Locked<[Int]>([])
        let result = await harness.run(clock: { Timestamp.parse("2026-11-29T03:00:00Z")! },
                                       confirm: { count in asked.update { $0.append(count) }; return false })
            .run(try harness.loaded(), ApplyRequest())
        guard case .refused(.declined) = result else { throw TestFailure("not declined: \(result)") }
        #expect(asked.current == [1])
        #expect(try await liveRetention(group) == 7)
        #expect(try history(harness).isEmpty)
    }

    @Test func aLockHeldElsewhereRefusesAndNothingIsAsked() async throws {
        let harness = try await harness()
        let asked = Locked(false)
        let result = await harness.run(
            confirm: { _ in
                asked.update { $0 = true }
                return true
            },
            locks: { environment, _ in
                HeldLock(environment: environment.name)
            }
        ).run(try harness.loaded(), ApplyRequest())
        guard case .refused(.locked(let held)) = result else { throw TestFailure("not locked: \(result)") }
        #expect(held.record.holder == "erin on runner-9 (pid 12)")
        #expect(!asked.current)
        #expect(try await liveRetention(group) == 7)
    }
}

/// A lock someone else always holds.
struct HeldLock: ApplyLock {
    let environment: String
    var place: String { "a test lock" }
    func acquire() async throws {
        throw LockHeld(
            environment: environment,
            record: LockRecord(
                holder: "erin on runner-9 (pid 12)", revision: "abc",
                acquired: Date()), place: place)
    }
    func release() async throws {}
    func breakLock() async throws -> LockRecord? { nil }
}
