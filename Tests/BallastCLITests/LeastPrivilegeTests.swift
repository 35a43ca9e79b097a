import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Each command (drift with --notify, --publish-metrics and --explain; plan; apply; history from the
/// lock table; rollback; revert; hold; watch --self-heal) runs under moto's IAM enforcement as a user
/// holding exactly the actions `ballast iam-policy --for <command>` prints for it (moto's resource
/// matching knows only `*`, so the ARNs are parliament's to check, in IAMPolicyTests). Nothing may be refused: a call
/// ballast makes that the policy does not grant fails here by name.
@Suite struct LeastPrivilegeTests {
    /// Nothing AWS refused, in what a run printed.
    func refusals(_ result: Run.Result) -> [String] {
        (result.stdout + result.stderr).split(separator: "\n").map(String.init).filter {
            $0.contains("AccessDenied") || $0.contains("not authorized") || $0.contains("UnrecognizedClient")
        }
    }

    /// A user allowed exactly what `iam-policy` prints for `arguments`.
    func user(_ repo: TempRepository, _ arguments: [String]) async throws -> [String: String] {
        let printed = try Run.ballast(["iam-policy", "--repo", repo.path] + arguments)
        #expect(printed.status == 0, "iam-policy \(arguments): \(printed.stderr)")
        let actions = (try JSON.parse(printed.stdout)["Statement"]?.list ?? []).flatMap { statement in
            statement["Action"]?.list?.compactMap(\.string) ?? statement["Action"]?.string.map { [$0] } ?? []
        }
        #expect(!actions.isEmpty, "iam-policy \(arguments) granted nothing")
        return try await IAMPolicyTests().user(allowing: actions)
    }

    @Test func everyCommandRunsWithExactlyThePolicyItsIAMPolicyPrints() async throws {
        let table = try await createLockTable()
        let group = "/ballast/" + uniqueName("least"), rule = uniqueName("least")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        try await seeder().create("AWS::Events::Rule", id: rule,
                                  ["State": "DISABLED", "ScheduleExpression": "rate(1 hour)"])
        let environment = Fixture.environment + "lockTable: \(table)\n"
        let repo = try TempRepository()
        func commit(_ days: Int) throws {
            try repo.commit(["desired-state/test/environment.yaml": environment,
                             "desired-state/test/resources.yaml": """
                                resources:
                                  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: \(days)}}
                                  - {type: AWS::Events::Rule, id: \(rule), properties: {State: ENABLED}}
                                """ + "\n"], message: "\(days) days")
        }
        try commit(30)
        try commit(60)
        func run(_ purpose: [String], _ command: [String], expect status: Int32) async throws -> Run.Result {
            let result = try repo.ballast(command, try await user(repo, ["--for"] + purpose))
            #expect(result.status == status, "\(command): \(result.stdout.suffix(1_500))\(result.stderr)")
            #expect(refusals(result) == [], "\(command) with iam-policy --for \(purpose)")
            return result
        }

        let posts = Locked(0)
        let webhook = try LoopbackHTTPServer { _ in
            posts.update { $0 += 1 }
            return .response(status: 200, headers: [:], body: Array("ok".utf8))
        }
        _ = try await run(["drift", "--publish-metrics", "--explain", "--notify"],
                          ["drift", "--publish-metrics", "--explain", "--notify", webhook.url + "/hook",
                           "--output", "json"], expect: 2)
        #expect(posts.current == 1)
        _ = try await run(["plan"], ["plan", "--output", "json"], expect: 2)
        // Enforced, and no more than needed: apply as plan's user is refused, by the action's name.
        let refused = try repo.ballast(["apply", "--auto-approve"], try await user(repo, ["--for", "plan"]))
        #expect(refused.status != 0 && !refusals(refused).isEmpty, "\(refused.stdout)\(refused.stderr)")
        _ = try await run(["apply"], ["apply", "--auto-approve"], expect: 0)
        let history = try await run(["history"], ["history", "--from-lock-table"], expect: 0)
        #expect(history.stdout.contains("apply"), "\(history.stdout)")
        _ = try await run(["rollback"], ["rollback", "--to", "HEAD~1", "--auto-approve"], expect: 0)
        let sixty = try repo.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        try await setRetention(group, 7)  // so the revert has a write to make
        let revert = try await run(["revert"], ["revert", sixty, "--apply", "--auto-approve"], expect: 0)
        #expect(revert.stdout.contains("1 of 1 changes applied"), "\(revert.stdout)")
        _ = try await run(["hold"], ["hold", "--env", "test", "--type", "AWS::Events::Rule", "--id", rule,
                                     "--for", "1h", "--reason", "INC-1: least privilege"], expect: 0)
        _ = try await run(["hold"], ["hold", "--list"], expect: 0)

        // watch --self-heal puts a hand change back with its policy alone.
        try await setRetention(group, 7)
        let watch = try WatchTests.Watch(["--interval", "1s", "--self-heal"], repo: repo,
                                         environment: try await user(repo, ["--for", "watch", "--self-heal"]))
        let pass = try watch.lastRun { $0["outcome"] == "healed" || $0["outcome"] == "heal_failed" }
        #expect(pass["outcome"] == "healed", "\(watch.stderr)")
        #expect(try watch.stop() == 0)
        #expect(!watch.stderr.contains("AccessDenied"), "\(watch.stderr)")

        // watch --notify (no writes of its own) tells the webhook and keeps what it told in the lock table.
        try await setRetention(group, 7)
        let told = posts.current
        let notifying = try WatchTests.Watch(["--interval", "1h", "--notify", webhook.url + "/hook"], repo: repo,
                                             environment: try await user(repo, ["--for", "watch", "--notify"]))
        _ = try notifying.lastRun()
        let started = Date()
        while posts.current == told, Date().timeIntervalSince(started) < 20 {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))  // the state's write, after the post
        #expect(posts.current > told, "the watch told the webhook nothing: \(notifying.stderr)")
        #expect(try notifying.stop() == 0)
        #expect(!notifying.stderr.contains("AccessDenied") && !notifying.stderr.contains("error ballast.watch"),
                "\(notifying.stderr)")
    }

    /// `watch --events` receives, reads what an event names and removes the message with what
    /// `iam-policy --for watch --events QUEUE_URL` prints, and nothing more.
    @Test func watchEventsRunsWithExactlyItsPolicy() async throws {
        let (group, repo) = try await WatchEventsTests.declaredGroup("least")
        let queue = try await WatchEventsTests.queue()
        let policy = try Run.ballast(["iam-policy", "--repo", repo.path, "--for", "watch", "--events", queue])
        #expect(policy.stdout.contains("sqs:ReceiveMessage") && policy.stdout.contains("sqs:DeleteMessage"))
        #expect(!policy.stdout.contains("sqs:SendMessage"), "nothing else of SQS: \(policy.stdout)")
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo,
                                         environment: try await user(repo, ["--for", "watch", "--events", queue]))
        _ = try watch.lastRun()
        try await WatchEventsTests.send(WatchEventsTests.event("PutRetentionPolicy", ["logGroupName": .string(group)]),
                                        to: queue)
        _ = try WatchEventsTests.waitFor(watch) { ($0["ballast_events_matched_total{}"] ?? 0) >= 1 }
        try await Task.sleep(for: .milliseconds(500))  // the message's removal
        #expect(try watch.stop() == 0)
        #expect(!watch.stderr.contains("AccessDenied") && !watch.stderr.contains("not_removed"), "\(watch.stderr)")
    }

    /// Reading the journal from the lock tables is granted for history alone: a Scan, nothing else.
    @Test func historyIsGrantedItsScanAndNothingMore() throws {
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: /x, properties: {RetentionInDays: 7}}\n",
                                                   environment: Fixture.environment + "lockTable: locks\n")
        let printed = try repo.ballast(["iam-policy", "--for", "history"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let statements = try JSON.parse(printed.stdout)["Statement"]?.list ?? []
        #expect(statements.count == 1)
        #expect(statements.first?["Action"] == ["dynamodb:Scan"])
        #expect(statements.first?["Resource"] == ["arn:aws:dynamodb:us-east-1:*:table/locks"])
    }
}
