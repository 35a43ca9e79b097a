import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Rollback by revision and by `git revert`, with the journal after each,
/// checked against the real git CLI.
@Suite struct RollbackRevertTests {
    func history(_ repo: TempRepository) throws -> [Value] {
        try JSON.parse(try repo.ballast(["history", "--output", "json"]).stdout)["entries"]?.list ?? []
    }

    /// Two commits: retention 30, then 90 (applied). Returns the repo and both shas.
    func appliedTwice(_ group: String) async throws -> (TempRepository, String, String) {
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let first = try repo.git(["rev-parse", "HEAD"])
        let second = try repo.commit(["desired-state/test/resources.yaml": Fixture.logGroup(group, days: 90)],
                                     message: "Keep \(group) 90 days")
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await liveRetention(group) == 90)
        return (repo, first, second)
    }

    @Test func rollbackAppliesAnEarlierRevisionAndTheJournalSaysSo() async throws {
        let group = "/ballast/" + uniqueName("rollback")
        let (repo, first, second) = try await appliedTwice(group)
        let rollback = try repo.ballast(["rollback", "--to", "HEAD~1", "--auto-approve"])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        #expect(try await liveRetention(group) == 30)
        #expect(try repo.git(["rev-parse", "HEAD"]) == second)  // the repository is not changed

        let entries = try history(repo)
        #expect(entries.map { $0["kind"]?.string ?? "" } == ["rollback", "apply"])
        #expect(entries.first?["revision"] == .string(first))
        #expect(entries.first?["rolledBackFrom"] == .string(second))
        #expect(entries.first?["changes"]?.list?.first?["set"] == ["/RetentionInDays": ["from": 90, "to": 30]])
        // Real git reads the journal note ballast wrote on the rolled-back-to commit.
        // Two lines: the intent written before the first write, then the entry that ends it.
        let note = try repo.git(["notes", "--ref=ballast", "show", first]).split(separator: "\n").map {
            try JSON.parse(String($0))
        }
        #expect(note.map { $0["outcome"]?.string ?? "" } == ["started", "applied"])
        #expect(note.last?["kind"] == "rollback")
        let text = try repo.ballast(["history"])
        #expect(text.stdout.contains("rollback  test  \(first.prefix(12))"))
        #expect(text.stdout.contains("rolled back from \(second.prefix(12))"))
    }

    /// A queue's visibility timeout and redrive policy, raised during an incident through git and
    /// rolled back by revision: SetQueueAttributes puts both back, and the journal names the call.
    @Test func aQueueRollsBackToAnEarlierRevision() async throws {
        let queue = uniqueName("rollback-queue")
        let dlq = "arn:aws:sqs:us-east-1:123456789012:\(queue)-dlq"
        let redrive: Value = ["maxReceiveCount": 5, "deadLetterTargetArn": .string(dlq)]
        try await seeder().create("AWS::SQS::Queue", id: queue, ["VisibilityTimeout": 30, "RedrivePolicy": redrive])
        func file(_ timeout: Int, _ count: Int) -> String {
            "resources:\n  - {type: AWS::SQS::Queue, id: \(queue), properties: "
                + "{VisibilityTimeout: \(timeout), RedrivePolicy: {maxReceiveCount: \(count)}}}\n"
        }
        let repo = try TempRepository.desiredState("")
        try repo.commit(["desired-state/test/resources.yaml": file(30, 5)], message: "queue as it is")
        try repo.commit(["desired-state/test/resources.yaml": file(300, 10)], message: "incident: slow OCR")
        #expect(try repo.ballast(["apply", "--auto-approve"]).status == 0)
        let rollback = try repo.ballast(["rollback", "--to", "HEAD~1", "--auto-approve"])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        #expect(try repo.ballast(["drift", "--revision", "HEAD~1"]).status == 0, "live is HEAD~1's again")
        #expect(try repo.ballast(["drift"]).status == 2, "and HEAD still asks for the incident's values")
        let entry = try history(repo).first
        #expect(entry?["kind"] == "rollback")
        #expect(entry?["changes"]?.list?.first?["call"] == "sqs:SetQueueAttributes")
        #expect(entry?["changes"]?.list?.first?["set"]?["/VisibilityTimeout"] == ["from": 300, "to": 30])
    }

    @Test func revertCommitsLikeGitAndAppliesIt() async throws {
        let group = "/ballast/" + uniqueName("revert")
        let (repo, _, second) = try await appliedTwice(group)
        let revert = try repo.ballast(["revert", second, "--apply", "--auto-approve"])
        #expect(revert.status == 0, "\(revert.stdout)\(revert.stderr)")
        #expect(try await liveRetention(group) == 30)

        #expect(
            try repo.git(["log", "-1", "--format=%B"])
                == "Revert \"Keep \(group) 90 days\"\n\nThis reverts commit \(second).")
        #expect(try repo.git(["rev-parse", "HEAD~1"]) == second)
        #expect(try repo.git(["show", "HEAD:desired-state/test/resources.yaml"]).contains("RetentionInDays: 30"))
        // Index and working tree follow the new commit.
        #expect(try repo.git(["status", "--porcelain"]) == "")
        let file = try String(contentsOfFile: repo.path + "/desired-state/test/resources.yaml", encoding: .utf8)
        #expect(file.contains("RetentionInDays: 30"))

        let entry = try #require(try history(repo).first)
        #expect(entry["kind"] == "revert")
        #expect(entry["reverted"] == .string(second))
        #expect(entry["revision"] == .string(try repo.git(["rev-parse", "HEAD"])))
    }

    @Test func revertWithoutApplyCommitsAndPlans() async throws {
        let group = "/ballast/" + uniqueName("revertplan")
        let (repo, _, second) = try await appliedTwice(group)
        let revert = try repo.ballast(["revert", "HEAD"])
        #expect(revert.status == 2)
        #expect(revert.stdout.contains("Revert \"Keep \(group) 90 days\""))
        #expect(revert.stdout.contains("RetentionInDays: 90 -> 30"))
        #expect(try repo.git(["rev-parse", "HEAD~1"]) == second)
        #expect(try await liveRetention(group) == 90)
    }

    @Test func revertRefusesADirtyTreeAndConflictsAndChangesNothing() async throws {
        let group = "/ballast/" + uniqueName("refuse")
        let (repo, _, second) = try await appliedTwice(group)
        let path = "desired-state/test/resources.yaml"
        try repo.write([path: Fixture.logGroup(group, days: 14)])
        let dirty = try repo.ballast(["revert", second])
        #expect(dirty.status == 1)
        #expect(dirty.stderr.contains("uncommitted changes under desired-state/ (\(path))"))
        #expect(try repo.git(["rev-parse", "HEAD"]) == second)

        // A later commit changes the same line: reverting the earlier one conflicts.
        let third = try repo.commit([path: Fixture.logGroup(group, days: 60)], message: "60 days")
        let conflict = try repo.ballast(["revert", second])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("it conflicts with later commits in \(path)"))
        #expect(try repo.git(["rev-parse", "HEAD"]) == third)
        #expect(try repo.git(["status", "--porcelain"]) == "")
        #expect(try await liveRetention(group) == 90)
    }

    @Test func revertRefusesMergeCommitsAndRevertsThatChangeNothing() throws {
        let repo = try TempRepository.desiredState(
            Fixture.logGroup("/ballast/merge", days: 30).replacingOccurrences(of: "resources:\n", with: ""))
        let path = "desired-state/test/resources.yaml"
        try repo.git(["checkout", "-q", "-b", "side"])
        try repo.commit(["desired-state/test/other.yaml": "resources: []\n"], message: "side")
        try repo.git(["checkout", "-q", "main"])
        try repo.commit([path: Fixture.logGroup("/ballast/merge", days: 60)], message: "60 days")
        try repo.git(["merge", "-q", "--no-ff", "-m", "merge side", "side"])
        let merge = try repo.git(["rev-parse", "HEAD"])
        let refused = try repo.ballast(["revert", "HEAD"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("it is a merge commit"))

        // 60 days, then back to 30 by hand: reverting "60 days" now changes nothing.
        try repo.commit([path: Fixture.logGroup("/ballast/merge", days: 30)], message: "back to 30")
        let empty = try repo.ballast(["revert", "HEAD~2"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("changes nothing: HEAD already undoes it"))
        #expect(try repo.git(["rev-parse", "HEAD~1"]) == merge)
    }

    @Test func aBareCloneRollsBackAndKeepsItsJournal() async throws {
        let group = "/ballast/" + uniqueName("bare")
        let (repo, first, _) = try await appliedTwice(group)
        let bare = try repo.bareClone()
        let rollback = try bare.ballast(["rollback", "--to", first, "--auto-approve"])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        #expect(try await liveRetention(group) == 30)
        #expect(try history(bare).first?["kind"] == "rollback")
        let note =
            try bare.git(["notes", "--ref=ballast", "show", first]).split(separator: "\n").last.map(String.init) ?? ""
        #expect(try JSON.parse(note)["revision"] == .string(first))
    }
}
