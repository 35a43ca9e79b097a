import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `ballast watch --events`: CloudTrail's events, as EventBridge delivers them to the queue, read
/// within seconds; only what they name is read again, with the event's caller as who changed it.
@Suite struct WatchEventsTests {
    static let client = AWSSetup(environment: MotoServer.shared.environment).client(region: "us-east-1")

    /// A log group made in moto (`live` days) and a repository declaring it at 30 days.
    static func declaredGroup(_ name: String, live: Int = 30) async throws -> (String, TempRepository) {
        let group = "/ballast/" + uniqueName(name)
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": .int(live)])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}\n")
        return (group, repo)
    }

    /// A queue in moto, as the template makes it (a dead-letter queue after five receipts).
    static func queue() async throws -> String {
        let name = uniqueName("events")
        let dlq = try await client.json(.sqs, "CreateQueue", ["QueueName": .string(name + "-dead-letter")])
        let dlqArn = try await client.json(.sqs, "GetQueueAttributes", [
            "QueueUrl": dlq["QueueUrl"] ?? .null, "AttributeNames": ["QueueArn"],
        ])["Attributes"]?["QueueArn"]?.string ?? ""
        let redrive = JSON.encode(["deadLetterTargetArn": .string(dlqArn), "maxReceiveCount": 5])
        let made = try await client.json(.sqs, "CreateQueue", [
            "QueueName": .string(name), "Attributes": ["RedrivePolicy": .string(redrive)],
        ])
        return try #require(made["QueueUrl"]?.string)
    }

    /// What EventBridge puts on the queue for a CloudTrail management event (the EventBridge User
    /// Guide, "AWS service events delivered via AWS CloudTrail").
    static func event(_ name: String, _ parameters: Value, source: String = "logs.amazonaws.com",
                      agent: String = "aws-cli/2.15.0 Python/3.11", at time: Date = Date()) -> String {
        let stamp = Timestamp.iso8601(time)
        let detail: Value = [
            "eventVersion": "1.09", "eventID": .string(UUID().uuidString.lowercased()), "eventTime": .string(stamp),
            "eventSource": .string(source), "eventName": .string(name), "awsRegion": "us-east-1",
            "userAgent": .string(agent), "readOnly": false, "recipientAccountId": "123456789012",
            "userIdentity": ["type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice"],
            "requestParameters": parameters,
        ]
        return JSON.encode([
            "version": "0", "id": .string(UUID().uuidString.lowercased()),
            "detail-type": "AWS API Call via CloudTrail", "source": "aws.logs", "account": "123456789012",
            "time": .string(stamp), "region": "us-east-1", "resources": [], "detail": detail,
        ])
    }

    static func send(_ body: String, to queue: String) async throws {
        _ = try await client.json(.sqs, "SendMessage", ["QueueUrl": .string(queue), "MessageBody": .string(body)])
    }

    static func waitFor(_ watch: WatchTests.Watch, within seconds: Double = 30,
                        _ wanted: ([String: Double]) -> Bool) throws -> [String: Double] {
        let started = Date()
        var last: [String: Double] = [:]
        while Date().timeIntervalSince(started) < seconds {
            // A scrape that times out while a pass holds the process busy is tried again.
            last = (try? watch.metrics()) ?? last
            if wanted(last) { return last }
            guard watch.process.isRunning else { throw TestFailure("watch exited: \(watch.stderr)") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw TestFailure("not seen in \(seconds) s: \(last.filter { $0.key.hasPrefix("ballast_events") })\n"
            + watch.stderr)
    }

    /// A hand change's event: found and attributed within seconds of the event, with one read; an event
    /// for nothing declared is removed and counted; a message that is not an event is left for the
    /// dead-letter queue.
    @Test func aHandChangeIsFoundFromItsEventAndAttributedToItsCaller() async throws {
        let changed = "/ballast/" + uniqueName("events"), other = "/ballast/" + uniqueName("events")
        try await seeder().create("AWS::Logs::LogGroup", id: changed, ["RetentionInDays": 30])
        try await seeder().create("AWS::Logs::LogGroup", id: other, ["RetentionInDays": 30])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::Logs::LogGroup, id: \(changed), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(other), properties: {RetentionInDays: 30}}
            """ + "\n")
        let queue = try await Self.queue()
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo)
        #expect(try watch.lastRun()["outcome"] == "in_sync")

        // The hand change, then its event; another group's event; and a message that is no event.
        _ = try await Self.client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(changed),
                                                                     "retentionInDays": 1])
        try await Self.send(Self.event("PutRetentionPolicy", ["logGroupName": .string(changed),
                                                               "retentionInDays": 1]), to: queue)
        try await Self.send(Self.event("PutRetentionPolicy", ["logGroupName": "/not/declared",
                                                               "retentionInDays": 1]), to: queue)
        try await Self.send("not an event", to: queue)
        let metrics = try Self.waitFor(watch) {
            ($0["ballast_events_received_total{}"] ?? 0) >= 3 && ($0["ballast_detection_seconds_count{}"] ?? 0) >= 1
        }
        #expect(metrics["ballast_events_matched_total{}"] == 1)
        #expect(metrics["ballast_events_malformed_total{}"] == 1)
        #expect(metrics["ballast_resources{environment=test,status=modified}"] == 1, "\(metrics)")
        #expect(metrics["ballast_resources{environment=test,status=in_sync}"] == 1)
        let age = "ballast_drift_age_seconds{environment=test,id=\(changed),region=us-east-1,type=AWS::Logs::LogGroup}"
        #expect(metrics[age] != nil, "\(metrics.keys.filter { $0.contains("age") })")
        // Detected within seconds of the event (loopback; the benchmark measures it at volume).
        #expect((metrics["ballast_detection_seconds_sum{}"] ?? 99) < 10)

        #expect(try watch.stop() == 0)
        let line = watch.stderr.split(separator: "\n").first { $0.contains("events") && $0.contains("matched=1") }
        #expect(line?.contains("\(changed) MODIFIED by arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice "
            + "via cli (logs:PutRetentionPolicy)") == true, "\(watch.stderr)")
        #expect(watch.stderr.contains("left_for=dead-letter queue"), "\(watch.stderr)")
        // Only the message that is no event is still in the queue (in flight until its visibility ends).
        let attributes = try await Self.client.json(.sqs, "GetQueueAttributes", [
            "QueueUrl": .string(queue),
            "AttributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        ])["Attributes"]
        let left = (Int(attributes?["ApproximateNumberOfMessages"]?.string ?? "") ?? -1)
            + (Int(attributes?["ApproximateNumberOfMessagesNotVisible"]?.string ?? "") ?? -1)
        #expect(left == 1, "\(attributes ?? .null)")
    }

    /// Messages as large as SQS allows (1 MiB) cost the watch a bounded amount: JSON nested past any
    /// sense is counted as malformed and left for the dead-letter queue; an event whose caller's user
    /// agent is most of a megabyte is read, its resource read again, and its log line stays short.
    @Test func messagesAsLargeAsSQSAllowsAreBounded() async throws {
        let (group, repo) = try await Self.declaredGroup("large")
        let queue = try await Self.queue()
        _ = try await Self.client.json(.sqs, "SetQueueAttributes", [
            "QueueUrl": .string(queue), "Attributes": ["MaximumMessageSize": "1048576"],
        ])
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo)
        _ = try watch.lastRun()

        let deep = String(repeating: "[", count: 500_000) + String(repeating: "]", count: 500_000)
        try await Self.send(deep, to: queue)
        _ = try await Self.client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group),
                                                                     "retentionInDays": 1])
        let agent = "aws-cli/2.15.0 " + String(repeating: "\u{1b}[31mx", count: 80_000)
        let large = Self.event("PutRetentionPolicy", ["logGroupName": .string(group), "retentionInDays": 1],
                               agent: agent)
        #expect(large.utf8.count > 800_000)
        try await Self.send(large, to: queue)
        let metrics = try Self.waitFor(watch) {
            ($0["ballast_events_malformed_total{}"] ?? 0) >= 1 && ($0["ballast_detection_seconds_count{}"] ?? 0) >= 1
        }
        #expect(metrics["ballast_events_matched_total{}"] == 1, "\(metrics)")
        #expect(try watch.stop() == 0)
        let line = try #require(watch.stderr.split(separator: "\n").first { $0.contains("matched=1") })
        #expect(line.contains("\(group) MODIFIED by arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice"))
        #expect(line.utf8.count < 2_000, "a log line of \(line.utf8.count) bytes")
        #expect(!watch.stderr.contains("\u{1b}"), "a terminal escape from the message reached the log")
    }

    /// `--notify`: the webhook hears of the drift an event showed within seconds, with who made it; the
    /// same drift again is not news; ballast's apply that puts it back is told as back in sync. The
    /// webhook's URL, a secret, is in no log line.
    @Test func aWebhookHearsOfAnEventsDriftWithItsAuthor() async throws {
        let (group, repo) = try await Self.declaredGroup("notify")
        let posts = Locked<[String]>([])
        let webhook = try LoopbackHTTPServer { request in
            if let text = (try? JSON.parse(request.body))?["text"]?.string { posts.update { $0.append(text) } }
            return .response(status: 200, headers: [:], body: Array("ok".utf8))
        }
        defer { webhook.stop() }
        let queue = try await Self.queue()
        // The stopped watch's cut long poll may still be served by the emulator: a message it takes comes
        // back after the visibility timeout, kept short here.
        _ = try await Self.client.json(.sqs, "SetQueueAttributes", [
            "QueueUrl": .string(queue), "Attributes": ["VisibilityTimeout": "2"],
        ])
        let hook = webhook.url + "/hooks/T0/B0/s3cr3t-token"
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue, "--notify", hook], repo: repo)
        _ = try watch.lastRun()
        func waitForPosts(_ count: Int) throws {
            let started = Date()
            while posts.current.count < count, Date().timeIntervalSince(started) < 30 {
                Thread.sleep(forTimeInterval: 0.1)
            }
            guard posts.current.count >= count else {
                throw TestFailure("\(posts.current.count) posts, not \(count): \(watch.stderr)")
            }
        }
        #expect(posts.current.isEmpty, "an environment in sync from the start is not news")

        _ = try await Self.client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group),
                                                                     "retentionInDays": 1])
        let change: Value = ["logGroupName": .string(group), "retentionInDays": 1]
        try await Self.send(Self.event("PutRetentionPolicy", change), to: queue)
        try waitForPosts(1)
        let told = posts.current[0]
        #expect(told.hasPrefix("ballast: drift in test at "), "\(told)")
        #expect(told.contains("• AWS::Logs::LogGroup \(group): /RetentionInDays 1 → 30 (by "
            + "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice via cli, logs:PutRetentionPolicy)"), "\(told)")

        // The same change's event again: read again, the same drift, no post.
        try await Self.send(Self.event("PutRetentionPolicy", change), to: queue)
        _ = try Self.waitFor(watch) { ($0["ballast_events_matched_total{}"] ?? 0) >= 2 }
        try await Task.sleep(for: .milliseconds(500))
        #expect(posts.current.count == 1, "\(posts.current)")

        // A restarted watch finds what was told where drift --notify keeps it, and does not tell it again.
        #expect(try watch.stop() == 0)
        let again = try WatchTests.Watch(["--interval", "1h", "--events", queue, "--notify", hook], repo: repo)
        _ = try again.lastRun()
        try await Task.sleep(for: .milliseconds(500))
        #expect(posts.current.count == 1, "told again after a restart: \(posts.current)")

        #expect(try repo.ballast(["apply", "--auto-approve"]).status == 0)
        try await Self.send(Self.event("PutRetentionPolicy", ["logGroupName": .string(group), "retentionInDays": 30],
                                       agent: "ballast/1.0 (apply)"), to: queue)
        try waitForPosts(2)
        #expect(posts.current[1].hasPrefix("ballast: test is back in sync (1 resources)"), "\(posts.current)")
        #expect(try again.stop() == 0)
        #expect(!(watch.stderr + again.stderr).contains("s3cr3t-token"), "\(watch.stderr)")
    }

    /// The template, deployed to moto's CloudFormation, makes rules and a queue through which
    /// EventBridge delivers the calls the kinds name, and not others; the watch reads them from there.
    @Test func theDeployedTemplateDeliversTheCallsItNamesToTheWatch() async throws {
        let (group, repo) = try await Self.declaredGroup("deployed")
        let name = uniqueName("deployed")
        let template = try repo.ballast(["events", "template", "--queue-name", name])
        #expect(template.status == 0, "\(template.stderr)")
        let client = WatchEventsTests.client
        _ = try await client.query(.cloudFormation, "CreateStack", ["StackName": name,
                                                                    "TemplateBody": template.stdout])
        let stack = try await client.query(.cloudFormation, "DescribeStacks", ["StackName": name])
        let outputs = stack.first("Outputs")?.children ?? []
        let queue = try #require(outputs.first { $0.child("OutputKey")?.text == "QueueUrl" }?
            .child("OutputValue")?.text)

        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo)
        _ = try watch.lastRun()
        _ = try await client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group), "retentionInDays": 1])
        // What CloudTrail hands EventBridge for that call, and for a read no rule names.
        func put(_ name: String) async throws {
            let detail = JSON.encode([
                "eventVersion": "1.09", "eventID": .string(UUID().uuidString.lowercased()),
                "eventTime": .string(Timestamp.iso8601(Date())), "eventSource": "logs.amazonaws.com",
                "eventName": .string(name), "awsRegion": "us-east-1", "userAgent": "console.amazonaws.com",
                "userIdentity": ["type": "IAMUser", "userName": "bob", "arn": "arn:aws:iam::123456789012:user/bob"],
                "requestParameters": ["logGroupName": .string(group), "retentionInDays": 1],
            ])
            _ = try await client.json(.events, "PutEvents", ["Entries": [[
                "Source": "aws.logs", "DetailType": "AWS API Call via CloudTrail", "Detail": .string(detail),
            ]]])
        }
        try await put("DescribeLogGroups")
        try await put("PutRetentionPolicy")
        let metrics = try WatchEventsTests.waitFor(watch) { ($0["ballast_detection_seconds_count{}"] ?? 0) >= 1 }
        #expect(metrics["ballast_events_received_total{}"] == 1, "the rule lets the read through: \(metrics)")
        #expect(try watch.stop() == 0)
        #expect(watch.stderr.contains("by arn:aws:iam::123456789012:user/bob via console"), "\(watch.stderr)")
    }

    /// A burst of 200 events on one resource is one read of it, and every request the watch sends to the
    /// queue is as botocore's model of SQS says.
    @Test func aBurstOnOneResourceIsOneRead() async throws {
        let (group, repo) = try await Self.declaredGroup("burst")
        let queue = try await Self.queue()
        for batch in 0..<20 {
            let entries: [Value] = (0..<10).map { index in
                ["Id": .string("e\(index)"), "MessageBody": .string(Self.event("PutRetentionPolicy", [
                    "logGroupName": .string(group), "retentionInDays": .int(batch * 10 + index),
                ]))]
            }
            _ = try await Self.client.json(.sqs, "SendMessageBatch", ["QueueUrl": .string(queue),
                                                                      "Entries": .list(entries)])
        }
        let recorder = try RequestRecorder()
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo,
                                         environment: recorder.environment)
        _ = try Self.waitFor(watch) { ($0["ballast_events_received_total{}"] ?? 0) >= 200 }
        try await Task.sleep(for: .seconds(1))
        #expect(try watch.stop() == 0)
        let reads = recorder.jsonLines.split(separator: "\n").filter { $0.contains("Logs_20140328.DescribeLogGroups") }
        // One read by the first full pass, one for the whole burst.
        #expect(reads.count == 2, "\(reads.count) reads: \(watch.stderr)")
        let checked = try recorder.violations(checker: ApplyKindTests.checker)
        #expect(checked.problems == [], "\(checked.summary)")
    }

    /// As AWS does, every write CloudTrail records is delivered: a console user's change is reported with
    /// its author within seconds; ballast's own apply that puts it back is read (in sync) and put on no one.
    @Test func aConsoleChangeIsReportedWithItsAuthorAndBallastsOwnApplyIsNot() async throws {
        let (group, repo) = try await Self.declaredGroup("console")
        let queue = try await Self.queue()
        let cloudTrail = MotoServer.shared.standIns.cloudTrail
        // EventBridge's envelope around each CloudTrail record of this group, on the queue.
        let token = cloudTrail.deliver(for: [group]) { detail in
            let envelope = JSON.encode([
                "version": "0", "id": .string(UUID().uuidString.lowercased()),
                "detail-type": "AWS API Call via CloudTrail", "source": "aws.logs", "account": "123456789012",
                "time": detail["eventTime"] ?? .null, "region": "us-east-1", "resources": [], "detail": detail,
            ])
            Task { try? await Self.send(envelope, to: queue) }
        }
        defer { cloudTrail.stopDelivering(token) }
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo)
        _ = try watch.lastRun()

        // Carol sets it to a day in the console.
        _ = try await Self.client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group),
                                                                     "retentionInDays": 1])
        cloudTrail.record(name: "PutRetentionPolicy", source: "logs.amazonaws.com", resource: group, at: Date(),
                          identity: ["type": "IAMUser", "userName": "carol",
                                     "arn": "arn:aws:iam::123456789012:user/carol"],
                          userAgent: "console.amazonaws.com",
                          parameters: ["logGroupName": .string(group), "retentionInDays": 1])
        _ = try Self.waitFor(watch) { ($0["ballast_detection_seconds_count{}"] ?? 0) >= 1 }
        #expect(watch.stderr.contains("\(group) MODIFIED by arn:aws:iam::123456789012:user/carol via console"),
                "\(watch.stderr)")

        // ballast's apply puts it back; its own event is read, in sync, and detects nothing.
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let after = try Self.waitFor(watch) {
            ($0["ballast_resources{environment=test,status=in_sync}"] ?? 0) == 1
                && ($0["ballast_events_matched_total{}"] ?? 0) >= 3
        }
        #expect(after["ballast_detection_seconds_count{}"] == 1, "\(after)")
        #expect(after["ballast_drift_resolved_seconds_count{}"] == 1, "time to remediate: \(after)")
        #expect(try watch.stop() == 0)
    }

    /// With --self-heal, what an event shows drifted is put back as a full pass puts it back, within
    /// seconds and without waiting for the interval.
    @Test func selfHealPutsBackWhatAnEventShowed() async throws {
        let (group, repo) = try await Self.declaredGroup("heal")
        let queue = try await Self.queue()
        let watch = try WatchTests.Watch(["--interval", "1h", "--self-heal", "--events", queue], repo: repo)
        #expect(try watch.lastRun()["outcome"] == "in_sync")
        _ = try await Self.client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group),
                                                                     "retentionInDays": 1])
        try await Self.send(Self.event("PutRetentionPolicy", ["logGroupName": .string(group),
                                                               "retentionInDays": 1]), to: queue)
        let started = Date()
        while Date().timeIntervalSince(started) < 30, !watch.stderr.contains("outcome=healed") {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try watch.stop() == 0)
        let lines = watch.stderr.split(separator: "\n")
        #expect(lines.contains { $0.contains("events") && $0.contains("outcome=healed") }, "\(watch.stderr)")
        #expect(try await liveRetention(group) == 30)
    }

    /// A queue that stays quiet for longer than the interval is said in /healthz, without failing it:
    /// the full passes go on. A stop does not wait for the long poll.
    @Test func aQuietQueueIsSaidInHealthzAndAStopCutsTheLongPoll() async throws {
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: /ballast/quiet, "
            + "properties: {RetentionInDays: 30}}\n")
        let watch = try WatchTests.Watch(["--interval", "1s", "--events", try await Self.queue()], repo: repo)
        _ = try watch.lastRun()
        try await Task.sleep(for: .milliseconds(1_500))
        let health = try JSON.parse(try watch.get("/healthz") ?? "{}")
        #expect(health["events"]?["note"]?.string?.contains("longer than the interval") == true, "\(health)")
        #expect(health["status"] == "ok", "\(health)")
        // SIGTERM in the middle of a 20-second long poll: the poll is cut, not waited for (Kubernetes gives
        // a pod 30 seconds, a second stop signal in a terminal none).
        #expect(try watch.stop(within: 10) == 0)
    }

    /// ballast's own write is read, but put on no one; a queue that cannot be read is said in /healthz
    /// while the full pass goes on.
    @Test func ownWritesAreReadButNotAttributedAndAMissingQueueIsSaid() async throws {
        let (group, repo) = try await Self.declaredGroup("events", live: 7)
        let queue = try await Self.queue()
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo)
        _ = try watch.lastRun()
        try await Self.send(Self.event("PutRetentionPolicy", ["logGroupName": .string(group)],
                                       agent: "ballast/1.0 (apply)"), to: queue)
        let metrics = try Self.waitFor(watch) { ($0["ballast_events_matched_total{}"] ?? 0) >= 1 }
        #expect(metrics["ballast_detection_seconds_count{}"] ?? 0 == 0, "ballast's own change is no detection")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!watch.stderr.contains("by arn:aws:sts"), "\(watch.stderr)")

        _ = try await Self.client.json(.sqs, "DeleteQueue", ["QueueUrl": .string(queue)])
        let started = Date()
        var health: Value = .null
        while Date().timeIntervalSince(started) < 30 {
            health = try JSON.parse(try watch.get("/healthz") ?? "{}")
            if health["events"]?["problem"] != nil { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        // SQS's JSON protocol names it QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue in its query one).
        let problem = health["events"]?["problem"]?.string ?? ""
        #expect(problem.contains("QueueDoesNotExist") || problem.contains("NonExistentQueue"), "\(health)")
        #expect(health["status"] == "ok", "the full pass goes on: \(health)")
        #expect(try watch.stop() == 0)
    }
}
