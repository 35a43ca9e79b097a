import BallastGit
import BallastTestSupport
import Foundation
import Testing

/// `pullFastForward` (watch --pull) on real clones made by the git CLI.
@Suite struct GitPullTests {
    /// A clone of `origin` through a bare remote, tracking main.
    func clone(of origin: TempRepository) throws -> (TempRepository, TempRepository) {
        let remote = try origin.bareClone()
        try origin.git(["remote", "add", "origin", remote.path])
        let checkout = try TempRepository()
        try checkout.git(["remote", "add", "origin", remote.path])
        try checkout.git(["fetch", "-q", "origin"])
        try checkout.git(["checkout", "-q", "-B", "main", "--track", "origin/main"])
        return (checkout, remote)
    }

    @Test func upToDateThenFastForwardThenDivergedIsRefusedChangingNothing() throws {
        let origin = try TempRepository()
        let first = try origin.commit(["a.txt": "1\n"], message: "one")
        let (checkout, remote) = try clone(of: origin)  // the remote lives as long as the test
        let repository = try GitRepository(discoveringFrom: checkout.path)
        guard case .upToDate(let head) = try repository.pullFastForward() else {
            Issue.record("not up to date")
            return
        }
        #expect(head.sha == first)

        let second = try origin.commit(["a.txt": "2\n"], message: "two")
        try origin.git(["push", "-q", "origin", "main"])
        guard case .fastForwarded(let old,
            let new) = try repository.pullFastForward() else { Issue.record("no fast-forward"); return }
        #expect(old.sha == first && new.sha == second)
        #expect(try String(contentsOfFile: checkout.path + "/a.txt", encoding: .utf8) == "2\n")

        try origin.commit(["a.txt": "3\n"], message: "three")
        try origin.git(["push", "-q", "origin", "main"])
        let local = try checkout.commit(["b.txt": "local\n"], message: "local work")
        #expect(throws: GitError.self) { try repository.pullFastForward() }
        do { _ = try repository.pullFastForward() } catch { #expect(error.description.contains("have diverged")) }
        #expect(try checkout.git(["rev-parse", "HEAD"]) == local)
        #expect(FileManager.default.fileExists(atPath: remote.path))
    }

    @Test func aDetachedHeadOrABranchWithoutUpstreamIsRefused() throws {
        let repo = try TempRepository()
        let first = try repo.commit(["a.txt": "1\n"], message: "one")
        let repository = try GitRepository(discoveringFrom: repo.path)
        #expect(throws: GitError.self) { try repository.pullFastForward() }
        do { _ = try repository.pullFastForward() } catch { #expect(error.description.contains("has no upstream")) }
        try repo.git(["checkout", "-q", "--detach", first])
        #expect(throws: GitError.self) { try repository.pullFastForward() }
        do { _ = try repository.pullFastForward() } catch { #expect(error.description.contains("HEAD is detached")) }
    }
}
