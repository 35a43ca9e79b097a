import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A rotation that is configured is checked for having happened: a secret's `LastRotatedDate` against its
/// schedule and the environment's `rotationGrace`, a version a rotation left `AWSPENDING`, a KMS key's
/// newest rotation (`ListKeyRotations`) against its period; in the report, the comment, the drift issue's
/// body and a policy's `live`.
@Suite struct RotationTests {
    static let rotator = "arn:aws:lambda:us-east-1:123456789012:function:" + uniqueName("rotator")

    /// The run's clock `days` from now: a secret rotated now was rotated `days` ago.
    static func later(_ days: Double) -> [String: String] {
        ["BALLAST_NOW": Timestamp.iso8601(Date().addingTimeInterval(days * 86_400))]
    }

    @Test func aSecretRotatedLongerAgoThanItsScheduleIsOverdue() async throws {
        let (rotated, failed) = ("ballast/" + uniqueName("rotated"), "ballast/" + uniqueName("failed"))
        for secret in [rotated, failed] {
            try await seeder().create("AWS::SecretsManager::RotationSchedule", id: secret, [
                "RotationLambdaARN": .string(Self.rotator), "RotationRules": ["AutomaticallyAfterDays": 30],
            ])
        }
        // What a rotation function's createSecret step leaves when a later step fails: a version labelled
        // AWSPENDING alone (the seeder finished the first rotation as a function would).
        let client = AWSSetup(environment: MotoServer.shared.environment).client(region: "us-east-1")
        _ = try await client.json(.secretsManager, "PutSecretValue", .map([
            "SecretId": .string(failed), "SecretString": "next", "VersionStages": ["AWSPENDING"],
        ]))
        let repo = try TempRepository.desiredState([rotated, failed].map {
            "  - {type: AWS::SecretsManager::RotationSchedule, id: \($0), "
                + "properties: {RotationRules: {AutomaticallyAfterDays: 30}}}\n"
        }.joined())

        // 40 days after the rotation, on a 30-day schedule with a day's grace: overdue.
        let late = try repo.ballast(["drift", "--output", "json"], Self.later(40))
        let rotations = try Self.rotations(late.stdout)
        let overdue = try #require(rotations[rotated], "\(late.stdout)")
        #expect(overdue["overdue"] == true && (overdue["lastError"] ?? .null) == .null, "\(overdue)")
        let last = try #require(overdue["last"]?.string.flatMap(Timestamp.parse))
        let due = try #require(overdue["due"]?.string.flatMap(Timestamp.parse))
        #expect(abs(due.timeIntervalSince(last) - 30 * 86_400) < 1, "due is the last rotation and 30 days")
        #expect(abs(last.timeIntervalSinceNow) < 300, "rotated when it was seeded: \(last)")
        #expect(late.status == 0, "an overdue rotation is a finding, not drift: \(late.stderr)")
        let failure = try #require(rotations[failed]?["lastError"]?.string, "\(rotations)")
        #expect(failure.contains("still AWSPENDING alone: a rotation started and has not finished"), "\(failure)")

        // 10 days after it: on schedule, and said nowhere but the JSON.
        let early = try repo.ballast(["drift", "--output", "json"], Self.later(10))
        #expect(try Self.rotations(early.stdout)[rotated]?["overdue"] == false, "\(early.stdout)")
        let quiet = try repo.ballast(["drift"], Self.later(10)).stdout
        #expect(!quiet.contains("\(rotated)  ("), "an on-time rotation is no finding: \(quiet)")

        // The text report and the comment (the drift issue's body) name it.
        let text = try repo.ballast(["drift"], Self.later(40)).stdout
        #expect(text.contains("! rotation overdue: last rotated "), "\(text)")
        #expect(text.contains("the last attempt failed: version "), "\(text)")
        let comment = try repo.ballast(["drift", "--output", "markdown"], Self.later(40)).stdout
        #expect(comment.contains("#### 🔑 Rotation: configured, but it did not happen"), "\(comment)")
        #expect(comment.contains("2 rotations overdue or failed"), "\(comment)")
        #expect(comment.split(separator: "\n").contains { $0.contains(rotated) && $0.contains("| overdue |") },
                "\(comment)")

        // rotationGrace: 30 days late is within a grace of 15 days? No; within 45 it is.
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\nrotationGrace: 15d\n"],
                        message: "a fortnight's grace")
        #expect(try Self.rotations(try repo.ballast(["drift", "--output", "json"], Self.later(40)).stdout)[rotated]?[
            "overdue"] == false, "40 days is within 30 and 15")
        #expect(try Self.rotations(try repo.ballast(["drift", "--output", "json"], Self.later(50)).stdout)[rotated]?[
            "overdue"] == true, "50 days is not")
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\nrotationGrace: soon\n"],
                        message: "a grace that is no duration")
        let bad = try repo.ballast(["validate"])
        #expect(bad.status == 1 && bad.stdout.contains("environment.yaml:2:16: rotationGrace takes a duration"),
                "\(bad.stdout)")
    }

    /// A policy sees `live.lastRotated` and `live.rotationOverdue` where a plan read them, and nothing in
    /// `validate`, which reads nothing.
    @Test func policiesSeeWhetherTheRotationHappened() async throws {
        let secret = "ballast/" + uniqueName("policy")
        let repo = try await Self.rotatedSecret(secret)
        try repo.commit(["policies/rotation.yaml": """
            policies:
              - id: rotation-happened
                severity: deny
                match: {type: AWS::SecretsManager::RotationSchedule}
                assert: "!has(live.rotationOverdue) || !live.rotationOverdue"
                message: The secret's rotation did not happen on time
              - id: rotation-was-read
                severity: warn
                match: {type: AWS::SecretsManager::RotationSchedule}
                assert: "has(live.lastRotated) && live.lastRotated != null"
                message: Nothing says when the secret last rotated
            tests:
              - name: an overdue rotation is denied
                policy: rotation-happened
                resource: {type: AWS::SecretsManager::RotationSchedule, id: s, properties: {}}
                live: {lastRotated: "2026-01-01T00:00:00Z", rotationOverdue: true}
                expect: fail
              - name: one on time passes
                policy: rotation-happened
                resource: {type: AWS::SecretsManager::RotationSchedule, id: s, properties: {}}
                live: {lastRotated: "2026-01-01T00:00:00Z", rotationOverdue: false}
                expect: pass
            """ + "\n"], message: "rotation policies")
        let tests = try repo.ballast(["policy", "test"])
        #expect(tests.status == 0 && tests.stdout.contains("policy tests: 2 passed, 0 failed"), "\(tests.stdout)")
        let denied = try repo.ballast(["plan"], Self.later(40))
        #expect(denied.status == 3, "\(denied.stdout)\n\(denied.stderr)")
        #expect(denied.stdout.contains("rotation-happened") && !denied.stdout.contains("rotation-was-read"),
                "\(denied.stdout)")
        let onTime = try repo.ballast(["plan"], Self.later(10))
        #expect(onTime.status == 0, "\(onTime.stdout)")
        // validate reads nothing: `live` is empty, so the warning says so and the deny passes.
        let offline = try repo.ballast(["validate"])
        #expect(offline.status == 0 && offline.stdout.contains("rotation-was-read"), "\(offline.stdout)")
    }

    /// A KMS key's newest rotation against its period (365 days where AWS does not say): one rotated on
    /// demand is overdue 400 days later, not 40; one that never rotated is not overdue (its first rotation
    /// comes a period after rotation was turned on). One ListKeyRotations a key, contract-checked.
    @Test func aKMSKeysRotationIsItsNewestAgainstItsPeriod() async throws {
        let rotated = try await seeder().create("AWS::KMS::Key", id: "", ["EnableKeyRotation": true])
        let fresh = try await seeder().create("AWS::KMS::Key", id: "", ["EnableKeyRotation": true])
        let client = AWSSetup(environment: MotoServer.shared.environment).client(region: "us-east-1")
        _ = try await client.json(.kms, "RotateKeyOnDemand", .map(["KeyId": .string(rotated)]))
        let repo = try TempRepository.desiredState([rotated, fresh].map {
            "  - {type: AWS::KMS::Key, id: \($0), properties: {EnableKeyRotation: true}}\n"
        }.joined())
        let recorder = try RequestRecorder()
        let late = try repo.ballast(["drift", "--output", "json"], Self.later(400).merging(recorder.environment) {
            $1
        })
        let rotations = try Self.rotations(late.stdout)
        #expect(rotations[rotated]?["overdue"] == true, "\(late.stdout)")
        #expect(rotations[fresh]?["overdue"] == false && (rotations[fresh]?["last"] ?? .null) == .null,
                "\(rotations)")
        let calls = recorder.jsonLines.split(separator: "\n").filter { $0.contains("ListKeyRotations") }
        #expect(calls.count == 2, "one ListKeyRotations a key: \(calls.count)")
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")
        let early = try repo.ballast(["drift", "--output", "json"], Self.later(40))
        #expect(try Self.rotations(early.stdout)[rotated]?["overdue"] == false, "\(early.stdout)")
        let dry = try repo.ballast(["drift", "--dry-run-reads"])
        #expect(dry.stdout.contains("kms:ListKeyRotations"), "the read plan counts it: \(dry.stdout)")
    }

    /// A secret rotated now on a 30-day schedule, and a repository that declares that schedule.
    static func rotatedSecret(_ secret: String) async throws -> TempRepository {
        try await seeder().create("AWS::SecretsManager::RotationSchedule", id: secret, [
            "RotationLambdaARN": .string(rotator), "RotationRules": ["AutomaticallyAfterDays": 30],
        ])
        return try TempRepository.desiredState("""
              - {type: AWS::SecretsManager::RotationSchedule, id: \(secret),
                 properties: {RotationRules: {AutomaticallyAfterDays: 30}}}

            """)
    }

    /// Each resource's `rotation`, by id.
    static func rotations(_ report: String) throws -> [String: Value] {
        let resources = try JSON.parse(report)["environments"]?.list?.first?["resources"]?.list ?? []
        return Dictionary(resources.compactMap { resource in
            resource["rotation"].map { (resource["id"]?.string ?? "", $0) }
        }, uniquingKeysWith: { a, _ in a })
    }

    /// An environment whose only finding is an overdue rotation gets a drift issue that says so (nothing
    /// differs), and the issue is closed once the rotation is on time again.
    @Test func anOverdueRotationOpensTheDriftIssue() async throws {
        let github = try GitHubStandIn()
        let secret = "ballast/" + uniqueName("issue")
        let repo = try await Self.rotatedSecret(secret)
        func drift(_ days: Double) throws -> Run.Result {
            try repo.ballast(["drift", "--github-issue"], github.environment.merging(Self.later(days)) { $1 })
        }
        let opened = try drift(40)
        #expect(opened.status == 0, "no property differs: \(opened.stderr)")
        #expect(opened.stderr.contains("opened the drift issue for test"), "\(opened.stderr)")
        let issue = try #require(try github.control("state")["issues"]?.list?.last)
        let body = issue["body"]?.string ?? ""
        #expect(body.contains("**test**: 1 rotation overdue or failed") && body.contains("🔑 Rotation"), "\(body)")
        let closed = try drift(10)
        #expect(closed.stderr.contains("closed the drift issue for test (back in sync)"), "\(closed.stderr)")
        let checks = try github.checks()
        #expect(checks.violations.isEmpty, "\(checks.violations)")
    }
}
