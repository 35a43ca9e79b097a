import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast import` writes only what `validate` accepts: the rest is skipped with its reason and
/// the command exits 1, so an import never leaves the repository with a mistake in it.
@Suite struct ImportCheckTests {
    func state(_ groups: [(address: String, name: String, retention: String)]) -> String {
        let resources = groups.map { group in
            """
            {"mode": "managed", "type": "aws_cloudwatch_log_group", "name": "\(group.address)",
             "provider": "provider[\\"registry.terraform.io/hashicorp/aws\\"]",
             "instances": [{"schema_version": 0, "attributes": {"name": "\(group.name)",
                            "retention_in_days": \(group.retention)}}]}
            """
        }
        return #"{"version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "x", "outputs": {}, "#
            + #""resources": ["#
            + resources.joined(separator: ",") + "]}"
    }

    @Test func valuesTheDesiredStateCannotHoldAreSkippedWithTheirReason() throws {
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\n"], message: "environment")
        let prefix = "/import/" + uniqueName("check") + "/"
        let file = repo.path + "/../" + UUID().uuidString + ".tfstate"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try state([("ok", prefix + "ok", "30"), ("huge", prefix + "huge", "1e300"), ("half", prefix + "half", "7.5"),
                   ("negative", prefix + "negative", "-5"), ("shell", prefix + "shell", "\"7; rm -rf\""),
                   ("again", prefix + "ok", "30")]).write(toFile: file, atomically: true, encoding: .utf8)
        let result = try repo.ballast(["import", "--env", "test", "--from-terraform", file])
        #expect(result.status == 1, "\(result.stderr)")
        for address in ["huge", "half", "negative", "shell"] {
            #expect(result.stderr.contains("skipped aws_cloudwatch_log_group.\(address): AWS::Logs::LogGroup "
                + "\(prefix)\(address) cannot be written as desired state: RetentionInDays"),
                    "\(address): \(result.stderr)")
        }
        #expect(result.stderr.contains("skipped aws_cloudwatch_log_group.again: AWS::Logs::LogGroup \(prefix)ok is "
            + "imported already from aws_cloudwatch_log_group.ok"), "\(result.stderr)")
        #expect(result.stderr.contains("imported 1 resource;"))
        let written = try String(
            contentsOfFile: repo.path + "/desired-state/test/logs-log-group.yaml", encoding: .utf8)
        #expect(written.contains("\(prefix)ok") && !written.contains("huge") && !written.contains("rm -rf"))
        let validate = try repo.ballast(["validate", "--worktree"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    /// A group that never expires is written as `RetentionInDays: null` ("must be unset", spec section 8),
    /// which validates and is in sync.
    @Test func aLogGroupThatNeverExpiresIsWrittenAsMustBeUnset() async throws {
        let folder = "/import/" + uniqueName("never") + "/"
        try await seeder().create("AWS::Logs::LogGroup", id: folder + "kept", ["RetentionInDays": 7])
        try await seeder().create("AWS::Logs::LogGroup", id: folder + "forever", [:])
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\n"], message: "environment")
        let result = try repo.ballast(["import", "--env", "test", "--from-live", "--type", "AWS::Logs::LogGroup",
                                       "--id", folder + "*"])
        #expect(result.status == 0, "\(result.stderr)")
        let written = try String(
            contentsOfFile: repo.path + "/desired-state/test/logs-log-group.yaml", encoding: .utf8)
        #expect(
            written.contains("id: \"\(folder)forever\"\n    properties:\n      RetentionInDays: null"), "\(written)")
        let validate = try repo.ballast(["validate", "--worktree"])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
        #expect(try repo.ballast(["drift", "--worktree"]).status == 0)
    }
}
