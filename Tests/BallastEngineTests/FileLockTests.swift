import BallastCore
import BallastEngine
import BallastTestSupport
import Foundation
import Testing

/// The `.git` lock under racing applies, in one process: `flock` holds per open
/// file, so each `FileLock` here is as separate as another process's.
@Suite struct FileLockTests {
    func owner() -> LockOwner { LockOwner(actor: "racer", revision: "abc") }

    @Test func racingTakeoversOfADeadHoldersLockLetExactlyOneIn() async throws {
        let repo = try TempRepository()
        let gitDirectory = repo.path + "/.git"
        let host = ProcessInfo.processInfo.hostName
        for _ in 0..<300 {
            let stale = #"{"token":"gone","holder":"a crashed apply","revision":"abc","acquired":"2026-11-23T07:00:00Z","#
                + #""host":"\#(host)","pid":999999}"#
            try stale.write(toFile: gitDirectory + "/ballast-prod.lock", atomically: true, encoding: .utf8)
            let locks = (0..<6).map { _ in FileLock(gitDirectory: gitDirectory, environment: "prod", owner: owner()) }
            let taken = await withTaskGroup(of: Bool.self) { group in
                for lock in locks { group.addTask { (try? await lock.acquire()) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(taken == 1)
            for lock in locks { try await lock.release() }
        }
    }

    @Test func aHeldLockRefusesUntilReleasedAndAClosedHoldersLockIsTakenOver() async throws {
        let repo = try TempRepository()
        let gitDirectory = repo.path + "/.git"
        let first = FileLock(gitDirectory: gitDirectory, environment: "prod", owner: owner())
        try await first.acquire()
        let second = FileLock(gitDirectory: gitDirectory, environment: "prod", owner: owner())
        await #expect(throws: LockHeld.self) { try await second.acquire() }
        try await first.release()
        #expect(!FileManager.default.fileExists(atPath: gitDirectory + "/ballast-prod.lock"))
        try await second.acquire()
        try await second.release()
    }
}
