import BallastTestSupport
import Foundation
import Testing

/// `ballast validate` needs no AWS: a program of validate's own targets (the loader, the kinds'
/// schemas, policies) links neither BallastAWS nor libcurl, and answers exactly as `ballast
/// validate` does on the example repository, valid and invalid.
@Suite struct ValidateWithoutAWSTests {
    static var probe: String {
        URL(fileURLWithPath: Run.ballastBinary).deletingLastPathComponent()
            .appendingPathComponent("validate-without-aws").path
    }

    /// The example repository's desired state and policies, committed in a repository of its own.
    func example(_ edit: [String: String] = [:]) throws -> TempRepository {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var files = try Fixture.exampleFiles(root: root)
        files.merge(edit) { _, new in new }
        let repo = try TempRepository()
        try repo.commit(files, message: "example")
        return repo
    }

    @Test func neitherBallastAWSNorLibcurlIsLinked() throws {
        let probe = Self.probe
        #expect(FileManager.default.isExecutableFile(atPath: probe), "swift build makes \(probe)")
        let libraries = try Run.process("/usr/bin/ldd", [probe]).stdout
        #expect(!libraries.isEmpty)
        #expect(!libraries.contains("libcurl"), "validate links libcurl:\n\(libraries)")
        // The same checks see both in the full binary, so their silence above means something.
        #expect(try Run.process("/usr/bin/ldd", [Run.ballastBinary]).stdout.contains("libcurl"))
        let symbols = { (binary: String) in try Run.process("/usr/bin/nm", ["--defined-only", binary]).stdout }
        #expect(!(try symbols(probe)).contains("10BallastAWS"), "a BallastAWS symbol is in \(probe)")
        #expect(try symbols(Run.ballastBinary).contains("10BallastAWS"))
        #expect(try symbols(probe).contains("12BallastKinds"), "the kinds' schemas are linked")
    }

    @Test func itAnswersAsBallastValidateDoes() throws {
        let valid = try example()
        let invalid = try example(["desired-state/prod/retention.yaml": Fixture.logGroup("/aws/app", days: 8)])
        for repo in [valid, invalid] {
            let full = try Run.ballast(["validate", "--repo", repo.path])
            let alone = try Run.process(Self.probe, [repo.path], environment: ["NO_COLOR": "1"])
            #expect(alone.status == full.status)
            #expect(alone.stdout == full.stdout)
            #expect(alone.stderr == full.stderr)
        }
        #expect(try Run.ballast(["validate", "--repo", valid.path]).status == 0)
        #expect(try Run.ballast(["validate", "--repo", invalid.path]).status == 1)
    }
}
