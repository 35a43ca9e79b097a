import BallastCore
import BallastEngine
import BallastTestSupport
import Foundation
import Testing

/// The journal's git notes under concurrent writers, checked with the git CLI.
@Suite struct JournalTests {
    func entry(_ n: Int) -> JournalEntry {
        JournalEntry(
            id: "entry-\(n)", kind: .apply, environments: ["prod"], revision: "abc",
            time: Date(timeIntervalSince1970: Double(n)),
            actor: "writer \(n)", planChecksum: "c", changes: [])
    }

    @Test func concurrentWritersOnOneCommitLoseNoEntry() async throws {
        let repo = try TempRepository()
        let sha = try repo.commit(["desired-state/prod/environment.yaml": "region: us-east-1\n"], message: "one")
        let journal = Journal(repositoryPath: repo.path)
        DispatchQueue.concurrentPerform(iterations: 12) { n in try? journal.record(entry(n), on: sha) }
        let lines = try repo.git(["notes", "--ref=ballast", "show", sha]).split(separator: "\n")
        #expect(lines.count == 12)
        #expect(Set(try journal.entries().map(\.id)) == Set((0..<12).map { "entry-\($0)" }))
        #expect(try journal.entries().first?.id == "entry-11")  // newest first
    }

    @Test func aWriterWaitsForTheOneHoldingItsTurn() throws {
        let repo = try TempRepository()
        let sha = try repo.commit(["desired-state/prod/environment.yaml": "region: us-east-1\n"], message: "one")
        let turn = repo.path + "/.git/ballast-journal.lock"
        let held = open(turn, O_RDWR | O_CREAT, 0o644)
        #expect(flock(held, LOCK_EX) == 0)
        let journal = Journal(repositoryPath: repo.path)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? journal.record(entry(1), on: sha)
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 0.5) == .timedOut)
        #expect(try journal.entries().isEmpty)
        close(held)  // as a killed holder's flock goes with its process
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(try journal.entries().map(\.id) == ["entry-1"])
    }
}
