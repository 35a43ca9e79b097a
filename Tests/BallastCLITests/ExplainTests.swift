import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `drift --explain`: who changed a drifted resource (CloudTrail's event history, from the stand-in
/// that records what reaches moto and the events tests add) and which commit set its desired line.
/// Serialized: CloudTrail allows two lookups a second per account, and the tests share one.
@Suite(.serialized) struct ExplainTests {
    static var trail: CloudTrailStandIn { MotoServer.shared.standIns.cloudTrail }

    static let alice: Value = [
        "type": "AssumedRole", "principalId": "AROAEXAMPLE:alice",
        "arn": "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice", "accountId": "123456789012",
        "sessionContext": ["sessionIssuer": ["type": "Role", "userName": "OpsOnCall",
                                             "arn": "arn:aws:iam::123456789012:role/OpsOnCall"]],
    ]
    static let dana: Value = ["type": "IAMUser", "userName": "dana", "arn": "arn:aws:iam::123456789012:user/dana"]
    static let cli = "aws-cli/2.15.30 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12 prompt/off "
        + "command/logs.put-retention-policy"
    static let terraform = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) "
        + "terraform-provider-aws/5.64.0"

    /// A log group live at `live` days, desired at 90 through three commits; returns the repository.
    static func drifted(_ group: String, live: Int) async throws -> (TempRepository, String) {
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": .int(live)])
        let repo = try TempRepository()
        let file = "desired-state/test/resources.yaml"
        func resources(_ days: Int) -> String {
            "resources:\n  - type: AWS::Logs::LogGroup\n    id: \(group)\n    properties:\n"
                + "      RetentionInDays: \(days)\n"
        }
        _ = try repo.commit(["desired-state/test/environment.yaml": Fixture.environment, file: resources(14)],
                            message: "Keep logs 14 days")
        _ = try repo.commit([file: resources(60)], message: "Keep logs 60 days")
        let last = try repo.commit([file: resources(90)], message: "Keep logs 90 days for disputes")
        return (repo, last)
    }

    static func explained(_ repo: TempRepository, _ arguments: [String] = []) throws -> (Run.Result, DriftRun) {
        let run = try repo.ballast(["drift", "--explain", "--output", "json"] + arguments)
        return (run, DriftRun(status: run.status, report: try JSON.parse(run.stdout), stderr: run.stderr))
    }

    /// The newest write that set the differing property names it; a newer unrelated write to the same
    /// resource (a tag) and an older console edit do not. The desired side is the last of three commits.
    @Test func theNewestWriteOfTheDifferingPropertyNamesWhoAndTheLastCommitTheLine() async throws {
        let group = "/ballast/" + uniqueName("explain")
        let (repo, last) = try await Self.drifted(group, live: 7)
        let now = Date()
        Self.trail.record(name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group,
                          at: now.addingTimeInterval(-86_400), identity: Self.dana, userAgent: "console.amazonaws.com",
                          parameters: ["logGroupName": .string(group), "retentionInDays": 14])
        let culprit = Self.trail.record(name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group,
                                        at: Date(), identity: Self.alice, userAgent: Self.cli,
                                        parameters: ["logGroupName": .string(group), "retentionInDays": 7])
        Self.trail.record(name: "TagLogGroup", source: "logs.amazonaws.com", resource: group,
                          at: Date(), identity: Self.dana, userAgent: Self.terraform,
                          parameters: ["logGroupName": .string(group), "tags": ["team": "tolling"]])
        let (run, drift) = try Self.explained(repo)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        let attribution = drift.resources[group]?["attribution"]
        #expect(attribution?["live"]?["by"] == "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice",
                "\(attribution ?? .null)")
        #expect(attribution?["live"]?["via"] == "cli")
        #expect(attribution?["live"]?["eventId"] == .string(culprit))
        #expect(attribution?["live"]?["cause"] == "logs:PutRetentionPolicy")
        #expect(attribution?["desired"]?["commit"] == .string(last))
        #expect(attribution?["desired"]?["author"] == "Ballast Test")
        #expect(attribution?["desired"]?["subject"] == "Keep logs 90 days for disputes")

        let text = try repo.ballast(["drift", "--explain"])
        #expect(text.stdout.contains("      changed by assumed-role/OpsOnCall/alice via cli at "), "\(text.stdout)")
        #expect(text.stdout.contains("; desired since \(last.prefix(7)) by Ballast Test, "), "\(text.stdout)")
    }

    /// How a change was made, from its caller and user agent: a console user, CloudFormation, Terraform.
    @Test(arguments: [
        (Self.dana, "console.amazonaws.com", "arn:aws:iam::123456789012:user/dana", "console"),
        (["type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"] as Value, "cloudformation.amazonaws.com",
         "cloudformation.amazonaws.com", "cloudformation"),
        (Self.alice, Self.terraform, "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice", "terraform"),
    ])
    func howItWasMade(identity: Value, agent: String, by: String, via: String) async throws {
        let group = "/ballast/" + uniqueName("how")
        let (repo, _) = try await Self.drifted(group, live: 30)
        Self.trail.record(name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group,
                          at: Date(), identity: identity, userAgent: agent,
                          parameters: ["logGroupName": .string(group), "retentionInDays": 30])
        let (_, drift) = try Self.explained(repo)
        let live = drift.resources[group]?["attribution"]?["live"]
        #expect(live?["by"] == .string(by) && live?["via"] == .string(via), "\(live ?? .null)")
    }

    /// ballast's own write (its user agent, as CloudTrail records it) is said as ballast's, with the
    /// journal entry that made it: here a rollback to the previous commit, then drift at HEAD.
    @Test func ballastsOwnApplyIsRecognised() async throws {
        let group = "/ballast/" + uniqueName("own")
        let (repo, _) = try await Self.drifted(group, live: 30)
        let rollback = try repo.ballast(["rollback", "--to", "HEAD~1", "--auto-approve"])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        let (_, drift) = try Self.explained(repo)
        let live = drift.resources[group]?["attribution"]?["live"]
        #expect(live?["via"] == "ballast" && live?["by"] == "arn:aws:iam::123456789012:user/ballast-tests",
                "\(live ?? .null)")
        #expect(live?["cause"]?.string?.hasPrefix("ballast rollback (journal entry ") == true, "\(live ?? .null)")
    }

    /// A session named `ballast-ops` with the aws-cli's user agent, after a ballast apply of the same
    /// resource, is not ballast: no journal entry wrote its value then. It is said as the CLI's, by the
    /// caller, with a note; a tag named `retentionInDays` deeper in a request names no property.
    @Test func attributionCannotBeForgedBySessionNameOrAgent() async throws {
        let group = "/ballast/" + uniqueName("forged")
        let (repo, _) = try await Self.drifted(group, live: 30)
        let rollback = try repo.ballast(["rollback", "--to", "HEAD~1", "--auto-approve"])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        let admin: Value = [
            "type": "AssumedRole", "principalId": "AROAEXAMPLE:ballast-ops", "accountId": "123456789012",
            "arn": "arn:aws:sts::123456789012:assumed-role/Admin/ballast-ops",
        ]
        // Another value than the rollback wrote (60), later: a person's change under ballast's name.
        _ = try await seeder().client.json(.logs, "PutRetentionPolicy", .map([
            "logGroupName": .string(group), "retentionInDays": 7]))
        Self.trail.record(name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group,
                          at: Date().addingTimeInterval(5), identity: admin, userAgent: Self.cli,
                          parameters: ["logGroupName": .string(group), "retentionInDays": 7])
        // Newer still, a tag write whose tag is named like the property: not the change.
        Self.trail.record(name: "TagLogGroup", source: "logs.amazonaws.com", resource: group,
                          at: Date().addingTimeInterval(10), identity: Self.dana, userAgent: Self.cli,
                          parameters: ["logGroupName": .string(group), "tags": ["retentionInDays": "90"]])
        let (_, drift) = try Self.explained(repo)
        let attribution = drift.resources[group]?["attribution"]
        let live = attribution?["live"]
        #expect(live?["via"] == "cli" && live?["by"] == "arn:aws:sts::123456789012:assumed-role/Admin/ballast-ops",
                "\(attribution ?? .null)")
        #expect(attribution?["note"]?.string?.contains("not counted as ballast's") == true, "\(attribution ?? .null)")
    }

    /// No event, no permission, over --explain-max: each said, and the status and exit code stay.
    @Test func whatCannotBeFoundIsSaidAndChangesNothing() async throws {
        let (quiet, busy) = ("/ballast/" + uniqueName("quiet"), "/ballast/" + uniqueName("busy"))
        let (repo, _) = try await Self.drifted(quiet, live: 30)
        try await seeder().create("AWS::Logs::LogGroup", id: busy, ["RetentionInDays": 30])
        Self.trail.forget(quiet)
        let (_, plain) = try Self.explained(repo)
        #expect(plain.resources[quiet]?["attribution"]?["note"] == "no matching event in the last 90 days")
        #expect(plain.resources[quiet]?["attribution"]?["desired"] != nil)
        #expect(plain.status(of: quiet) == "MODIFIED" && plain.status == 2)

        Self.trail.deny(true)
        defer { Self.trail.deny(false) }
        let (_, denied) = try Self.explained(repo)
        #expect(denied.status == 2)
        #expect(denied.resources[quiet]?["attribution"]?["note"]?.string?.hasPrefix(
            "CloudTrail not readable: AccessDeniedException") == true, "\(denied.resources[quiet] ?? .null)")
        #expect(denied.resources[quiet]?["attribution"]?["note"]?.string?.contains("(add cloudtrail:LookupEvents)")
                == true)
        Self.trail.deny(false)

        _ = try repo.commit(
            [
                "desired-state/test/more.yaml": "resources:\n  - {type: AWS::Logs::LogGroup, id: \(busy), "
                    + "properties: {RetentionInDays: 90}}\n"
            ], message: "another")
        let (_, capped) = try Self.explained(repo, ["--explain-max", "1"])
        let notes = [quiet, busy].compactMap { capped.resources[$0]?["attribution"]?["note"]?.string }
        #expect(notes.contains("not explained: over --explain-max 1"), "\(notes)")
        #expect(capped.status == 2)
    }

    /// Lookups are paced at CloudTrail's 2 a second: none of twelve is throttled.
    @Test func lookupsStayUnderCloudTrailsRate() async throws {
        var lines: [String] = []
        for _ in 0..<12 {
            let group = "/ballast/" + uniqueName("paced")
            try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
            lines.append("  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 90}}")
        }
        let repo = try TempRepository.desiredState(lines.joined(separator: "\n") + "\n")
        let before = Self.trail.throttles
        try await Task.sleep(for: .seconds(1.1))   // the account's earlier lookups are out of the second
        let recorder = try RequestRecorder()
        let run = try Run.ballast(["drift", "--explain", "--repo", repo.path], environment: recorder.environment)
        #expect(run.status == 2)
        #expect(Self.trail.throttles == before, "\(Self.trail.throttles - before) lookups throttled")
        #expect(recorder.jsonLines.components(separatedBy: "CloudTrail_20131101.LookupEvents").count - 1 == 12)
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")
    }

    /// A capacity an Auto Scaling policy moved is said as the autoscaler's, with its cause; one set by
    /// a call is left to CloudTrail.
    @Test func anAutoscalersMoveIsSaidAsSuch() async throws {
        let (byPolicy, byHand) = (uniqueName("asg"), uniqueName("asg"))
        for group in [byPolicy, byHand] {
            try await seeder().create("AWS::AutoScaling::AutoScalingGroup", id: group,
                                      ["MinSize": 1, "MaxSize": 10, "DesiredCapacity": 2])
        }
        let client = seeder().client
        _ = try await client.query(.autoScaling, "PutScalingPolicy", [
            "AutoScalingGroupName": byPolicy, "PolicyName": "rush-hour", "AdjustmentType": "ChangeInCapacity",
            "ScalingAdjustment": "3",
        ])
        _ = try await client.query(.autoScaling, "ExecutePolicy", ["AutoScalingGroupName": byPolicy,
                                                                   "PolicyName": "rush-hour"])
        _ = try await client.query(.autoScaling, "SetDesiredCapacity", ["AutoScalingGroupName": byHand,
                                                                        "DesiredCapacity": "5"])
        let repo = try TempRepository.desiredState([byPolicy, byHand].map {
            "  - {type: AWS::AutoScaling::AutoScalingGroup, id: \($0), properties: {DesiredCapacity: 2}}"
        }.joined(separator: "\n") + "\n")
        let (run, drift) = try Self.explained(repo)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        let policy = drift.resources[byPolicy]?["attribution"]?["live"]
        #expect(policy?["via"] == "autoscaling" && policy?["by"] == "autoscaling.amazonaws.com", "\(policy ?? .null)")
        #expect(policy?["cause"]?.string?.contains("triggered policy rush-hour") == true)
        let hand = drift.resources[byHand]?["attribution"]?["live"]
        #expect(
            hand?["via"] != "autoscaling" && hand?["cause"] == "autoscaling:SetDesiredCapacity", "\(hand ?? .null)")
    }

    /// `--dry-run-reads --explain` says what the lookups may add, and at CloudTrail's rate.
    @Test func theReadPlanSaysWhatExplainingAdds() throws {
        let repo = try TempRepository.desiredState((0..<3).map {
            "  - {type: AWS::Logs::LogGroup, id: /ballast/plan-\($0), properties: {RetentionInDays: 90}}"
        }.joined(separator: "\n") + "\n")
        let planned = try repo.ballast(["drift", "--dry-run-reads", "--explain", "--explain-max", "2"])
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(planned.stdout.contains("With --explain, after the reads: one cloudtrail:LookupEvents per MODIFIED or "
            + "DELETED resource (up to 4 pages of 50 events), for at most 2 resources: up to 2 calls, at least 0.5 s "
            + "at 1.9/s"), "\(planned.stdout)")
        // Given without --explain, even at their defaults, they are a mistake: nothing would use them.
        for options in [["--explain-max", "2"], ["--explain-max", "50"], ["--explain-since", "90d"]] {
            let refused = try repo.ballast(["drift"] + options)
            #expect(refused.status == 1, "\(options): \(refused.stderr)")
            #expect(refused.stderr.contains("--explain-since and --explain-max go with --explain"))
        }
    }

    /// What CloudTrail says is untrusted: a session name with markup and a terminal escape is shown
    /// escaped, in the comment's details and in text.
    @Test func attributionIsEscapedInEveryOutput() async throws {
        let group = "/ballast/" + uniqueName("hostile")
        let (repo, _) = try await Self.drifted(group, live: 30)
        let session = "<img src=x onerror=alert(1)>\u{1B}[31m"
        Self.trail.record(name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group, at: Date(),
                          identity: ["type": "AssumedRole",
                                     "arn": .string("arn:aws:sts::123456789012:assumed-role/OpsOnCall/" + session)],
                          userAgent: Self.cli, parameters: ["logGroupName": .string(group), "retentionInDays": 30])
        let markdown = try repo.ballast(["drift", "--explain", "--output", "markdown"])
        // Markdown.text's escaping: every punctuation mark backslashed, so nothing renders as markup.
        #expect(markdown.stdout.contains("Who and since when: changed by assumed\\-role\\/OpsOnCall\\/\\<img src"),
                "\(markdown.stdout)")
        #expect(!markdown.stdout.replacingOccurrences(of: "\\<img", with: "").contains("<img"))
        #expect(!markdown.stdout.contains("\u{1B}"), "\(markdown.stdout)")
        let text = try repo.ballast(["drift", "--explain"])
        #expect(text.stdout.contains("changed by assumed-role/OpsOnCall/<img src=x onerror=alert(1)>\\x1B[31m"),
                "\(text.stdout)")
        #expect(!text.stdout.contains("\u{1B}"))
    }

    /// SARIF messages carry attribution as one line of plain text: no line break, bidirectional override or
    /// markup from a session name; and a CloudTrail field outside the event document (a 150 KB EventName) is
    /// cut, so the JSON report stays small.
    @Test func attributionIsBoundedAndPlainInSARIFAndJSON() async throws {
        let group = "/ballast/" + uniqueName("sarif")
        let (repo, _) = try await Self.drifted(group, live: 30)
        let session = "eve\u{202E}<!--\nfixed"
        // 150 KB: under the event document's own bound (256 KiB), so only the field's cap keeps it out.
        Self.trail.record(name: "PutRetentionPolicy" + String(repeating: "X", count: 150_000),
                          source: "logs.amazonaws.com", resource: group, at: Date(),
                          identity: ["type": "AssumedRole",
                                     "arn": .string("arn:aws:sts::123456789012:assumed-role/OpsOnCall/" + session)],
                          userAgent: Self.cli, parameters: ["logGroupName": .string(group), "retentionInDays": 30])
        let sarif = try repo.ballast(["drift", "--explain", "--output", "sarif"])
        let messages = (try JSON.parse(sarif.stdout)["runs"]?.list?.first?["results"]?.list ?? [])
            .compactMap { $0["message"]?["text"]?.string }
        #expect(!messages.isEmpty, "\(sarif.stdout.prefix(2_000))")
        for message in messages {
            #expect(!message.contains("\n") && !message.contains("\u{202E}") && !message.contains("<!--"),
                    "\(message.prefix(500))")
        }
        #expect(messages.contains { $0.contains("OpsOnCall/eve\\u{202E}\\x3C!--\\nfixed") }, "\(messages)")
        let json = try repo.ballast(["drift", "--explain", "--output", "json"])
        #expect(json.stdout.utf8.count < 64 << 10, "a \(json.stdout.utf8.count)-byte report")
        let cause = try JSON.parse(json.stdout)["environments"]?.list?.first?["resources"]?.list?.first?[
            "attribution"]?[
                "live"]?["cause"]?.string
        #expect(cause?.hasPrefix("logs:PutRetentionPolicyXXX") == true && (cause?.count ?? 0) < 200, "\(cause ?? "")")
    }

    /// `driftSince` is when a notifying (scheduled) run first saw the drift, kept while the same drift
    /// stays; a drift that changes starts again.
    @Test func driftSinceIsTheFirstNotifyingRunThatSawIt() async throws {
        let group = "/ballast/" + uniqueName("since")
        let (repo, _) = try await Self.drifted(group, live: 30)
        let webhook = try LoopbackHTTPServer { _ in .response(status: 200, headers: [:], body: Array("ok".utf8)) }
        let first = Date()
        #expect(try repo.ballast(["drift", "--notify", webhook.url]).status == 2)
        try await Task.sleep(for: .seconds(1.2))
        let second = Date()
        #expect(try repo.ballast(["drift", "--notify", webhook.url]).status == 2)
        let (_, kept) = try Self.explained(repo)
        let since = kept.resources[group]?["attribution"]?["driftSince"]?.string.flatMap(Timestamp.parse)
        #expect(since.map { $0 >= first.addingTimeInterval(-1) && $0 < second } == true, "\(since as Any)")

        try await setRetention(group, 14)
        try await Task.sleep(for: .seconds(1.2))
        let changed = Date()
        #expect(try repo.ballast(["drift", "--notify", webhook.url]).status == 2)
        let (_, again) = try Self.explained(repo)
        let restarted = again.resources[group]?["attribution"]?["driftSince"]?.string.flatMap(Timestamp.parse)
        #expect(restarted.map { $0 >= changed.addingTimeInterval(-1) } == true, "\(restarted as Any)")
    }

    /// An ECS service's desired count an Application Auto Scaling policy moved is the autoscaler's.
    @Test func aScalableTargetsActivityExplainsADesiredCount() async throws {
        let id = uniqueName("cluster") + "/web"
        try await seeder().create("AWS::ECS::Service", id: id, ["DesiredCount": 6])
        Self.trail.recordActivity(namespace: "ecs", resourceId: "service/" + id, dimension: "ecs:service:DesiredCount",
                                  cause: "monitor alarm TargetTracking-service/\(id)-AlarmHigh in state ALARM "
                                      + "triggered policy cpu-target")
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::ECS::Service, id: \(id), properties: {DesiredCount: 2}}\n")
        let (_, drift) = try Self.explained(repo)
        let live = drift.resources[id]?["attribution"]?["live"]
        #expect(live?["via"] == "autoscaling", "\(live ?? .null)")
        #expect(live?["cause"]?.string?.hasSuffix("triggered policy cpu-target") == true)
    }

    /// The culprit on the second page of 50 events (sixty newer writes that name nothing that differs)
    /// is found through `NextToken`.
    @Test func theLookupPages() async throws {
        let group = "/ballast/" + uniqueName("paged")
        let (repo, _) = try await Self.drifted(group, live: 30)
        let culprit = Self.trail.record(name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group,
                                        at: Date(), identity: Self.alice, userAgent: Self.cli,
                                        parameters: ["logGroupName": .string(group), "retentionInDays": 30])
        for index in 0..<60 {
            Self.trail.record(name: "TagLogGroup", source: "logs.amazonaws.com", resource: group,
                              at: Date().addingTimeInterval(Double(index) / 1_000), identity: Self.dana,
                              userAgent: Self.terraform, parameters: ["logGroupName": .string(group)])
        }
        let (_, drift) = try Self.explained(repo)
        #expect(drift.resources[group]?["attribution"]?["live"]?["eventId"] == .string(culprit),
                "\(drift.resources[group] ?? .null)")
    }
}
