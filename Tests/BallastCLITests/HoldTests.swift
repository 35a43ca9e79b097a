import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast hold` (spec section 8): a hand change held while an incident lasts is shown as held,
/// never written by apply, a saved plan or self-heal, exits 0 when it is the only drift, and comes
/// back, named once, when the hold expires (an injected clock, `BALLAST_NOW`) or is released.
@Suite struct HoldTests {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30

    static func at(_ offset: TimeInterval) -> [String: String] {
        ["BALLAST_NOW": Timestamp.iso8601(start.addingTimeInterval(offset))]
    }

    /// A log group live at 7 days, desired at 30: the on-call engineer's hand change.
    static func drifted(environment: String = Fixture.environment) async throws -> (TempRepository, String) {
        let group = "/hold/" + uniqueName("group")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \"\(group)\", "
            + "properties: {RetentionInDays: 30}}\n", environment: environment)
        return (repo, group)
    }

    static func retention(_ group: String) async throws -> Value? {
        let answer = try await seeder().client.json(.logs, "DescribeLogGroups",
                                                    .map(["logGroupNamePrefix": .string(group)]))
        return answer["logGroups"]?.list?.first { $0["logGroupName"]?.string == group }?["retentionInDays"]
    }

    static func hold(_ repo: TempRepository, _ group: String, _ extra: [String] = [], at offset: TimeInterval = 0,
                     variables: [String: String] = [:]) throws -> (Run.Result, String?) {
        let run = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", group,
                                    "--property", "RetentionInDays", "--for", "1h", "--reason",
                                    "INC-4411: peak traffic"] + extra, at(offset).merging(variables) { $1 })
        let id = run.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (run, id)
    }

    static func report(_ run: Run.Result) throws -> Value { try JSON.parse(run.stdout) }

    @Test func aHeldChangeIsShownNotWrittenAndComesBackWhenItEnds() async throws {
        let (repo, group) = try await Self.drifted()
        // A plan saved before the hold: applying it later must not write the held value either.
        let saved = NSTemporaryDirectory() + "hold-plan-" + UUID().uuidString + ".json"
        defer { try? FileManager.default.removeItem(atPath: saved) }
        #expect(try repo.ballast(["plan", "--out", saved], Self.at(0)).status == 2)

        let (made, id) = try Self.hold(repo, group)
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        #expect(made.stdout.contains("Held RetentionInDays of AWS::Logs::LogGroup \(group) (test) until "
            + "2026-11-30T01:53:20Z: h-"), "\(made.stdout)")
        let hold = try #require(id)

        let drift = try repo.ballast(["drift", "--output", "json"], Self.at(600))
        #expect(drift.status == 0, "only held drift: \(drift.stdout)\(drift.stderr)")
        let json = try Self.report(drift)
        let difference = json["environments"]?.list?.first?["resources"]?.list?.first?["differences"]?.list?.first
        #expect(json["environments"]?.list?.first?["resources"]?.list?.first?["status"] == "MODIFIED")
        #expect(difference?["held"]?["id"] == .string(hold), "\(drift.stdout)")
        #expect(difference?["held"]?["reason"] == "INC-4411: peak traffic")
        #expect(difference?["held"]?["by"] == "arn:aws:iam::123456789012:user/ballast-tests", "\(drift.stdout)")
        #expect(json["summary"]?["held"] == 1)
        let text = try repo.ballast(["drift"], Self.at(600))
        #expect(text.stdout.contains("RetentionInDays: 7 -> 30  (held by user/ballast-tests until "
            + "2026-11-30T01:53:20Z: INC-4411: peak traffic)"), "\(text.stdout)")
        #expect(text.stdout.contains("No drift: 0 in sync, 1 held (1 resource)."), "\(text.stdout)")

        let plan = try repo.ballast(["plan", "--output", "json"], Self.at(600))
        #expect(plan.status == 0, "\(plan.stdout)")
        let planned = try Self.report(plan)
        #expect(planned["changes"] == [], "\(plan.stdout)")
        #expect(planned["held"]?.list?.first?["path"] == "/RetentionInDays", "\(plan.stdout)")
        let planText = try repo.ballast(["plan"], Self.at(600))
        #expect(planText.stdout.contains("Held (not written):"), "\(planText.stdout)")

        #expect(try repo.ballast(["apply", "--auto-approve"], Self.at(600)).status == 0)
        let fromSaved = try repo.ballast(["apply", saved], Self.at(600))
        #expect(fromSaved.stderr.contains("AWS::Logs::LogGroup \(group) /RetentionInDays is held: not written"),
                "\(fromSaved.stdout)\(fromSaved.stderr)")
        #expect(try await Self.retention(group) == 7)

        // Two hours on, the hold has ended: drift is back, and the ended hold is named once.
        let after = try repo.ballast(["drift", "--output", "json"], Self.at(7_200))
        #expect(after.status == 2, "\(after.stdout)")
        let ended = try Self.report(after)["environments"]?.list?.first?["resources"]?.list?.first
        #expect(ended?["holdEnded"]?["id"] == .string(hold), "\(after.stdout)")
        #expect(ended?["differences"]?.list?.first?["held"] == nil)
        let again = try repo.ballast(["drift", "--output", "json"], Self.at(7_300))
        #expect(try Self.report(again)["environments"]?.list?.first?["resources"]?.list?.first?["holdEnded"] == nil,
                "\(again.stdout)")
        #expect(try repo.ballast(["apply", "--auto-approve"], Self.at(7_300)).status == 0)
        #expect(try await Self.retention(group) == 30)
    }

    @Test func aReleasedHoldEndsAtOnce() async throws {
        let (repo, group) = try await Self.drifted()
        let (_, id) = try Self.hold(repo, group)
        let listed = try repo.ballast(["hold", "--list", "--output", "json"], Self.at(60))
        #expect(try JSON.parse(listed.stdout)["holds"]?.list?.first?["active"] == true, "\(listed.stdout)")
        let release = try repo.ballast(["hold", "--release", id ?? ""], Self.at(60))
        #expect(release.status == 0, "\(release.stdout)\(release.stderr)")
        let drift = try repo.ballast(["drift", "--output", "json"], Self.at(120))
        #expect(drift.status == 2)
        let resource = try Self.report(drift)["environments"]?.list?.first?["resources"]?.list?.first
        #expect(resource?["holdEnded"]?["id"] == .string(id ?? ""), "\(drift.stdout)")
        let unknown = try repo.ballast(["hold", "--release", "h-nothere"], Self.at(60))
        #expect(unknown.status == 1 && unknown.stderr.contains("no hold h-nothere"), "\(unknown.stderr)")
    }

    /// A reason is kept where others read it (a pushed note, a shared table): a secret in it goes through
    /// the one scrubber before it is kept.
    @Test func aSecretInAReasonIsNeverKept() async throws {
        let (repo, group) = try await Self.drifted()
        let secret = MotoServer.shared.environment["AWS_SECRET_ACCESS_KEY"] ?? ""
        #expect(secret.count >= 8)
        let made = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", group,
                                     "--for", "1h", "--reason", "INC-4412: rotated " + secret], Self.at(0))
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        let note = try repo.git(["notes", "--ref=refs/notes/ballast-holds", "show", "HEAD"])
        #expect(note.contains("INC-4412: rotated <redacted>"), "\(note)")
        #expect(!note.contains(secret))
    }

    /// A hold names a declared resource and properties it owns, for at most 168 hours, with a reason.
    @Test func whatCannotBeHeldIsRefused() async throws {
        let (repo, group) = try await Self.drifted()
        let undeclared = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id",
                                           "/not/declared", "--for", "1h", "--reason", "x"])
        #expect(undeclared.status == 1 && undeclared.stderr.contains("test declares no AWS::Logs::LogGroup "
            + "/not/declared"), "\(undeclared.stderr)")
        let unowned = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", group,
                                        "--property", "KmsKeyId", "--for", "1h", "--reason", "x"])
        #expect(unowned.status == 1 && unowned.stderr.contains("does not own KmsKeyId: it declares RetentionInDays"),
                "\(unowned.stderr)")
        let long = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", group,
                                     "--for", "169h", "--reason", "x"])
        #expect(long.status != 0 && long.stderr.contains("--for takes a duration from 1s to 168h"), "\(long.stderr)")
        let noReason = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", group,
                                         "--for", "1h", "--reason", ""])
        #expect(noReason.status != 0 && noReason.stderr.contains("--reason takes 1 to 500 characters"))
        #expect(try repo.ballast(["hold", "--list"]).stdout.contains("No holds."))
    }

    /// With BALLAST_PLAN_KEY set, an unsigned or edited hold is ignored with a warning.
    @Test func anEditedHoldIsIgnoredWhenHoldsAreSigned() async throws {
        let (repo, group) = try await Self.drifted()
        let key = ["BALLAST_PLAN_KEY": String(repeating: "k", count: 40)]
        let (signed, _) = try Self.hold(repo, group, variables: key)
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(try repo.ballast(["drift"], Self.at(60).merging(key) { $1 }).status == 0)
        // Someone lengthens the hold by editing the note: its MAC no longer matches.
        let note = try repo.git(["notes", "--ref", "refs/notes/ballast-holds", "show", "HEAD"])
        let edited = note.replacingOccurrences(of: "2026-11-30T01:53:20Z", with: "2026-11-30T05:53:20Z")
        #expect(edited != note)
        _ = try repo.git(["notes", "--ref", "refs/notes/ballast-holds", "add", "-f", "-m", edited, "HEAD"])
        let drift = try repo.ballast(["drift"], Self.at(4_000).merging(key) { $1 })
        #expect(drift.status == 2, "\(drift.stdout)")
        #expect(drift.stderr.contains("is ignored: its MAC does not match and BALLAST_PLAN_KEY is set"),
                "\(drift.stderr)")
    }

    /// Two runners with one lock table see one hold: made from one clone, honoured by another.
    @Test func twoRunnersSeeTheSameHoldThroughTheLockTable() async throws {
        let table = try await createLockTable()
        let environment = Fixture.environment + "lockTable: \(table)\n"
        let (first, group) = try await Self.drifted(environment: environment)
        let second = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \"\(group)\", "
            + "properties: {RetentionInDays: 30}}\n", environment: environment)
        let (made, id) = try Self.hold(first, group)
        #expect(made.status == 0, "\(made.stderr)")
        let drift = try second.ballast(["drift", "--output", "json"], Self.at(60))
        #expect(drift.status == 0, "\(drift.stdout)\(drift.stderr)")
        let held = try Self.report(drift)["environments"]?.list?.first?["resources"]?.list?.first?["differences"]?
            .list?.first?["held"]
        #expect(held?["id"] == .string(id ?? ""), "\(drift.stdout)")
    }
}
