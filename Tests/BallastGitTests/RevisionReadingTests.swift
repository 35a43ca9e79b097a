import BallastCore
import BallastDesiredState
import BallastEngine
import BallastGit
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// Repositories built with the git CLI, read back through libgit2.
@Suite struct RevisionReadingTests {
    /// Three commits on main (7, 14, 30 days), a branch with 60, an annotated tag on the second.
    func history() throws -> (TempRepository, [String]) {
        let repo = try TempRepository()
        var shas: [String] = []
        shas.append(
            try repo.commit(
                [
                    "desired-state/prod/environment.yaml": Fixture.environment,
                    "desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 7),
                ], message: "first"))
        shas.append(
            try repo.commit(
                ["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 14)], message: "second"))
        try repo.git(["tag", "-a", "v1", "-m", "release one"])
        shas.append(
            try repo.commit(["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 30)], message: "third")
        )
        try repo.git(["checkout", "-q", "-b", "longer"])
        try repo.commit(
            ["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 60)], message: "on a branch")
        try repo.git(["checkout", "-q", "main"])
        return (repo, shas)
    }

    func retention(_ repo: TempRepository, _ revision: String, worktree: Bool = false) throws -> Value? {
        let loaded = try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path, revision: revision,
                                                                     worktree: worktree))
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        return loaded.state.environments.first?.resources.first?.exactValue(at: "/RetentionInDays")
    }

    @Test func resolvesEveryKindOfRevision() throws {
        let (repo, shas) = try history()
        #expect(try retention(repo, "HEAD") == .int(30))
        #expect(try retention(repo, "HEAD~2") == .int(7))
        #expect(try retention(repo, String(shas[1].prefix(8))) == .int(14), "sha prefix")
        #expect(try retention(repo, "v1") == .int(14), "annotated tag peels to its commit")
        #expect(try retention(repo, "longer") == .int(60), "branch")
        #expect(try retention(repo, shas[0]) == .int(7), "full sha")
    }

    @Test func commitCarriesShaAndSummary() throws {
        let (repo, shas) = try history()
        let commit = try GitRepository(discoveringFrom: repo.path).commit("v1")
        #expect(commit.sha == shas[1])
        #expect(commit.summary == "second")
    }

    @Test func readsAnOldRevisionWhileTheWorkingTreeHoldsSomethingElse() throws {
        let (repo, _) = try history()
        try repo.write(["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 90)])
        #expect(try retention(repo, "HEAD~1") == .int(14))
        #expect(try retention(repo, "HEAD", worktree: true) == .int(90))
        #expect(try retention(repo, "HEAD") == .int(30), "committed tree, not the edited file")
    }

    @Test func notesWhenTheWorkingTreeDiffersFromHead() throws {
        let (repo, _) = try history()
        try repo.write(["desired-state/prod/logs.yaml": Fixture.logGroup("/aws/app", days: 90)])
        let committed = try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path))
        #expect(
            committed.notes == [
                "the working tree has uncommitted changes in desired-state/prod/logs.yaml; they are not read "
                    + "(pass --worktree to read them)"
            ])
        let worktree = try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path, worktree: true))
        #expect(
            worktree.notes == ["reading the working tree (--worktree): desired-state/prod/logs.yaml differs from HEAD"]
        )
        #expect(worktree.revisionLabel.hasSuffix("+worktree"))
        let clean = try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path, revision: "HEAD~1"))
        #expect(clean.notes.isEmpty, "an explicit older revision is not compared with the working tree")
    }

    @Test func discoversTheRepositoryFromASubfolder() throws {
        let (repo, _) = try history()
        let loaded = try DesiredStateLoader.builtIn.load(
            LoadRequest(repositoryPath: repo.path + "/desired-state/prod"))
        #expect(loaded.state.resourceCount == 1)
    }

    @Test func bareCloneReadsEveryRevision() throws {
        let (repo, _) = try history()
        let bare = try repo.bareClone()
        let git = try GitRepository(discoveringFrom: bare.path)
        #expect(git.isBare)
        #expect(try retention(bare, "HEAD~2") == .int(7))
        #expect(try retention(bare, "v1") == .int(14))
        #expect(throws: LoadError.self) {
            try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: bare.path, worktree: true))
        }
    }

    @Test func unknownRevisionIsOneClearError() throws {
        let (repo, _) = try history()
        let error = #expect(throws: LoadError.self) {
            try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path, revision: "no-such-branch"))
        }
        #expect(error?.description == "unknown revision 'no-such-branch' in \(repo.path)")
    }

    @Test func notARepository() throws {
        let error = #expect(throws: LoadError.self) {
            try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: "/"))
        }
        #expect(error?.description == "not a git repository: / (nor any folder above it)")
    }

    @Test func missingDesiredStateFolder() throws {
        let repo = try TempRepository()
        let sha = try repo.commit(["README.md": "nothing here\n"], message: "empty")
        let error = #expect(throws: LoadError.self) {
            try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path))
        }
        #expect(error?.description == "no desired-state/ folder in revision HEAD (\(sha.prefix(12)))")
    }

    @Test func filesUnderAFolderIncludeNestedOnes() throws {
        let repo = try TempRepository()
        try repo.commit(
            ["desired-state/prod/a/b/deep.yaml": "x: 1\n", "policies/p.yaml": "policies: []\n"], message: "nested")
        let git = try GitRepository(discoveringFrom: repo.path)
        let files = try git.files(under: "desired-state", at: git.commit("HEAD"), wanted: { _ in true }, maxBytes: 100)
        #expect(files?.files.keys.sorted() == ["desired-state/prod/a/b/deep.yaml"])
        #expect(files?.files["desired-state/prod/a/b/deep.yaml"] == Array("x: 1\n".utf8))
        #expect(try git.files(under: "nope", at: git.commit("HEAD"), wanted: { _ in true }, maxBytes: 100) == nil)
    }

    @Test func submodulesLinksAndLargeBlobsAreNamedNotRead() throws {
        let repo = try TempRepository()
        try repo.commit(["desired-state/prod/environment.yaml": "region: us-east-1\n",
                         "desired-state/prod/big.yaml": String(repeating: "#", count: 500),
                         "desired-state/prod/notes.txt": "not yaml"], message: "files")
        try repo.git([
            "update-index", "--add", "--cacheinfo",
            "160000,\(try repo.git(["rev-parse", "HEAD"])),desired-state/vendored",
        ])
        try FileManager.default.createSymbolicLink(
            atPath: repo.path + "/desired-state/staging", withDestinationPath: "prod")
        try repo.git(["add", "desired-state/staging"])
        try repo.git(["commit", "-q", "-m", "a submodule and a link"])
        let git = try GitRepository(discoveringFrom: repo.path)
        let found = try git.files(
            under: "desired-state", at: git.commit("HEAD"), wanted: { $0.hasSuffix(".yaml") }, maxBytes: 100)
        #expect(found?.files.keys.sorted() == ["desired-state/prod/environment.yaml"])
        #expect(
            found?.unreadable == [
                "desired-state/prod/big.yaml": "500 bytes, over the 100-byte limit for a file",
                "desired-state/vendored": "a submodule", "desired-state/staging": "a symbolic link",
            ])
    }
}

@Suite struct PathNameTests {
    @Test func namesAreShownByTheirBytes() {
        #expect(PathName.text(Array("prod/logs.yaml".utf8)) == "prod/logs.yaml")
        #expect(PathName.text(Array("ünïcode.yaml".utf8)) == "ünïcode.yaml")
        #expect(PathName.text([0x62, 0x61, 0x64, 0xFF, 0xFE, 0x2E, 0x79]) == "bad\\xFF\\xFE.y")
        // A literal backslash-x is not a byte: the two never read alike.
        #expect(PathName.text(Array("a\\xFF".utf8)) == "a\\\\xFF")
        #expect(PathName.text([0x61, 0xFF]) == "a\\xFF")
        // A truncated sequence, then valid text.
        #expect(PathName.text([0xE2, 0x82, 0x41]) == "\\xE2\\x82A")
    }
}
