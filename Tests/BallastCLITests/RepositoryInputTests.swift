import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Inputs a pull request controls cannot reach outside the repository or make a run check nothing.
@Suite struct RepositoryInputTests {
    /// A repository another user owns (a folder mounted into the image, which runs as uid 10001) is
    /// refused by libgit2 as git refuses it; ballast says so, and how to trust it, not "not a repository".
    @Test func aRepositoryOwnedByAnotherUserIsNamedAsSuch() throws {
        guard getuid() == 0 else { try Test.cancel("giving a repository to another user needs root") }
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment], message: "desired")
        #expect(chown(repo.path, 4_321, 4_321) == 0 && chown(repo.path + "/.git", 4_321, 4_321) == 0)
        let home = NSTemporaryDirectory() + "ballast-home-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let refused = try Run.ballast(
            ["validate", "--repo", repo.path + "/desired-state"], environment: ["HOME": home])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("the git repository at \(repo.path) is owned by uid 4321"), "\(refused.stderr)")
        #expect(refused.stderr.contains("git config --global --add safe.directory \(repo.path)"))
        // Trusted as the message says: read.
        let trust = try Run.process(
            "/usr/bin/env", ["git", "config", "--global", "--add", "safe.directory", repo.path],
            environment: ["HOME": home, "PATH": "/usr/bin:/bin"])
        #expect(trust.status == 0)
        let trusted = try Run.ballast(["validate", "--repo", repo.path], environment: ["HOME": home])
        #expect(trusted.status == 0, "\(trusted.stderr)")
    }

    @Test(arguments: ["/etc/passwd", "../../outside.tfstate", "states/../../x.tfstate", "~/terraform.tfstate"])
    func aTerraformStateOutsideTheRepositoryIsAMistakeAtItsLine(path: String) throws {
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: /x, "
            + "properties: {RetentionInDays: 30}}\n",
            environment: "region: us-east-1\nterraform:\n  states: [\"\(path)\"]\n")
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("desired-state/test/environment.yaml:3:"), "\(result.stdout)")
    }

    /// A link inside the repository that points out of it is refused too, and nothing outside is read.
    @Test func aTerraformStateLinkPointingOutsideIsNotRead() async throws {
        let group = "/ballast/" + uniqueName("tflink")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        let outside = NSTemporaryDirectory() + "ballast-outside-" + UUID().uuidString + ".tfstate"
        try #"{"version": 4, "resources": []}"#.write(toFile: outside, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n",
            environment: "region: us-east-1\nterraform:\n  states: [state/link.tfstate]\n")
        try FileManager.default.createDirectory(atPath: repo.path + "/state", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/state/link.tfstate",
                                                   withDestinationPath: outside)
        let result = try Run.ballast(["drift", "--repo", repo.path], environment: MotoServer.shared.environment)
        #expect(result.stderr.contains("the Terraform state state/link.tfstate is outside the repository"),
                "\(result.stdout)\(result.stderr)")
    }

    /// A state over 256 MiB is refused by its size, before it is read (a sparse file: no disk used).
    @Test func aHugeTerraformStateIsRefusedByItsSize() async throws {
        let group = "/ballast/" + uniqueName("tfbig")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n",
            environment: "region: us-east-1\nterraform:\n  states: [big.tfstate]\n")
        #expect(FileManager.default.createFile(atPath: repo.path + "/big.tfstate", contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: repo.path + "/big.tfstate"))
        try handle.truncate(atOffset: 300 << 20)
        try handle.close()
        let result = try Run.ballast(["drift", "--repo", repo.path], environment: MotoServer.shared.environment)
        #expect(result.stderr.contains(
            "the Terraform state big.tfstate is 314572800 bytes, over the 268435456-byte limit"),
                "\(result.stdout)\(result.stderr)")
    }

    /// A file whose name is not UTF-8 is read, and named by its bytes, in the commit and the working tree.
    @Test func aFileNameThatIsNotUTF8IsNamedByItsBytes() throws {
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: /a, "
            + "properties: {RetentionInDays: 30}}\n")
        let made = try Run.process("/bin/sh", ["-c", "printf 'resources:\\n  - {type: AWS::Logs::LogGroup, id: /b, "
            + "properties: {RetentionInDays: 31}}\\n' > \"$(printf 'desired-state/test/bad\\377\\376.yaml')\""],
            cwd: repo.path)
        #expect(made.status == 0, "\(made.stderr)")
        let worktree = try Run.ballast(["validate", "--worktree", "--repo", repo.path])
        try repo.git(["add", "-A"])
        try repo.git(["commit", "-q", "-m", "bytes"])
        let committed = try Run.ballast(["validate", "--repo", repo.path])
        for result in [worktree, committed] {
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stdout.contains("desired-state/test/bad\\xFF\\xFE.yaml:2:"), "\(result.stdout)")
            #expect(!result.stdout.contains("\u{FFFD}"))
        }
    }

    @Test func moreShardsThanResourcesIsRefused() async throws {
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: /a, properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: /b, properties: {RetentionInDays: 30}}
            """ + "\n")
        for command in ["drift", "plan"] {
            let result = try Run.ballast([command, "--shard", "1/9223372036854775807", "--repo", repo.path],
                                         environment: MotoServer.shared.environment)
            #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
            #expect(result.stderr.contains("9223372036854775807 shards for 2 resource(s); use at most 2 shards"),
                    "\(result.stderr)")
        }
    }
}
