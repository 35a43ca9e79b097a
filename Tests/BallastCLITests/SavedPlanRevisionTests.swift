import BallastCrypto
import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A saved plan is the desired state of one commit: apply takes it only where that commit is
/// the truth, the tip of the branch it applies from, or (when asked) a commit on its history.
@Suite struct SavedPlanRevisionTests {
    let key = String(repeating: "k", count: 40)

    func ballast(_ arguments: [String], _ repo: TempRepository) throws -> Run.Result {
        try Run.ballast(arguments + ["--repo", repo.path],
                        environment: MotoServer.shared.environment.merging(["BALLAST_PLAN_KEY": key]) { $1 })
    }

    func logGroupFile(_ group: String, days: Int) -> [String: String] {
        ["desired-state/test/resources.yaml":
            "resources:\n  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: \(days)}}\n"]
    }

    /// A log group live at 7 days, a repository asking 30, and where its plan file goes (beside it).
    func live7Desired30(_ name: String) async throws -> (group: String, repo: TempRepository, planFile: String) {
        let group = "/ballast/" + uniqueName(name)
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        return (group, repo, repo.path + "/../" + UUID().uuidString + ".plan.json")
    }

    @Test func aPlanOfABranchNeverMergedIsRefusedAndNothingIsWritten() async throws {
        let group = "/ballast/" + uniqueName("unmerged")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 7}}\n")
        try repo.git(["checkout", "-q", "-b", "pr"])
        try repo.commit(logGroupFile(group, days: 3653), message: "keep logs ten years")
        let planFile = repo.path + "/../" + UUID().uuidString + ".plan.json"
        defer { try? FileManager.default.removeItem(atPath: planFile) }
        #expect(try ballast(["plan", "--out", planFile], repo).status == 2)
        try repo.git(["checkout", "-q", "main"])
        try repo.git(["branch", "-q", "-D", "pr"])

        let apply = try ballast(["apply", planFile], repo)
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains("is not on the history of HEAD (main)"), "\(apply.stderr)")
        #expect(apply.stderr.contains("it was never merged there"))
        #expect(try await liveRetention(group) == 7)
        // Nothing journaled either.
        let history = try ballast(["history", "--output", "json"], repo)
        #expect(try JSON.parse(history.stdout)["entries"]?.list?.isEmpty == true)
    }

    @Test func aPlanOfAnOlderCommitNeedsAllowOlderRevisionAndSaysWhatChangedSince() async throws {
        let (group, repo, planFile) = try await live7Desired30("older")
        defer { try? FileManager.default.removeItem(atPath: planFile) }
        #expect(try ballast(["plan", "--out", planFile], repo).status == 2)
        // Commit B changes the same value after the plan of commit A was made.
        try repo.commit(logGroupFile(group, days: 90), message: "90 days")

        let refused = try ballast(["apply", planFile], repo)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is 1 commit(s) behind HEAD (main)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-older-revision"))
        #expect(try await liveRetention(group) == 7)

        // A branch that does not have the commit refuses it too.
        try repo.git(["checkout", "-q", "--orphan", "other"])
        try repo.commit(logGroupFile(group, days: 1), message: "unrelated")
        try repo.git(["checkout", "-q", "main"])
        let elsewhere = try ballast(["apply", planFile, "--branch", "other", "--allow-older-revision"], repo)
        #expect(elsewhere.status == 1)
        #expect(elsewhere.stderr.contains("is not on the history of branch other"), "\(elsewhere.stderr)")

        let allowed = try ballast(["apply", planFile, "--allow-older-revision"], repo)
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        #expect(allowed.stderr.contains("1 commit(s) behind HEAD (main)"))
        #expect(allowed.stderr.contains("desired-state/ changed after"))
        #expect(try await liveRetention(group) == 30)
    }

    /// A plan's revision is a commit id: a `+worktree` suffix (checksum recomputed, no MAC key
    /// set) made apply read uncommitted files; any other non-commit is refused the same way.
    @Test func aPlanWhoseRevisionIsNotACommitIdIsRefusedWithoutReadingTheWorkingTree() async throws {
        let (group, repo, planFile) = try await live7Desired30("worktree")
        defer { try? FileManager.default.removeItem(atPath: planFile) }
        let noKey = MotoServer.shared.environment
        #expect(try Run.ballast(["plan", "--out", planFile, "--repo", repo.path], environment: noKey).status == 2)
        // Uncommitted: 5 days.
        try repo.write(logGroupFile(group, days: 5))
        let head = try repo.git(["rev-parse", "HEAD"])
        for forged in [head + "+worktree", "main", String(head.prefix(12)), "HEAD"] {
            try rewrite(planFile, revision: forged)
            let apply = try Run.ballast(["apply", planFile, "--repo", repo.path], environment: noKey)
            #expect(apply.status == 1, "\(forged): \(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("is not a commit id"), "\(forged): \(apply.stderr)")
        }
        #expect(try await liveRetention(group) == 7)
        // plan --out of the working tree is refused: a saved plan is always of a commit.
        let worktree = try Run.ballast(["plan", "--worktree", "--out", planFile, "--repo", repo.path],
                                       environment: noKey)
        #expect(worktree.status != 0 && worktree.status != 2)
        #expect(worktree.stderr.contains("a saved plan is always of a commit"))
    }

    /// Changes the plan's revision and recomputes its checksum, as an attacker without the key can.
    func rewrite(_ path: String, revision: String) throws {
        guard case .map(var fields) = try JSON.parse(try String(contentsOfFile: path, encoding: .utf8)) else { return }
        fields["revision"] = .string(revision)
        fields["checksum"] = nil
        fields["mac"] = nil
        fields["checksum"] = .string(Checksum.sha256Hex(Array(JSON.encode(.map(fields)).utf8)))
        try (JSON.encode(.map(fields), pretty: true) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
