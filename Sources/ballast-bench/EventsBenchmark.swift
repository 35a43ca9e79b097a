import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastTestSupport
import Foundation

/// `ballast watch --events` at fleet scale: N resources of every kind in moto, the template
/// `ballast events template` prints deployed by moto's CloudFormation, the release binary watching
/// its queue, and CloudTrail-shaped events put through moto's EventBridge at a steady rate (a tenth
/// of them real changes to declared log groups, the rest calls on resources nothing declares).
/// Printed: detection time from each real change's event to the drift reported (p50, p95, max), API
/// reads per matched event (by a counting proxy in front of moto), and what polling finds at the
/// same API budget.
enum EventsBenchmark {
    static func run(_ arguments: [Int]) async throws {
        let total = arguments.count > 0 ? arguments[0] : 2_000
        let events = arguments.count > 1 ? arguments[1] : 1_000
        let seconds = Double(arguments.count > 2 ? arguments[2] : 60)
        let (moto, environment, seeder) = try DriftBenchmark.emulator()
        let fixture = ScaleFixture.items(total) { _ in false }
        say("seeding \(fixture.count) resources of \(ScaleFixture.kinds.count) kinds in moto (\(moto.endpoint)) ...")
        let items = try await ScaleFixture.seed(fixture, with: seeder)
        let repo = try ScaleFixture.repository(items)
        let binary = Run.ballastBinary.replacingOccurrences(of: "/debug/", with: "/release/")
        let client = AWSSetup(environment: environment, transport: CurlTransport(maxConcurrent: 16),
                              rates: .unpaced(inFlight: 16)).client(region: "us-east-1")

        // The template, deployed as a team would deploy it.
        let template = try Run.process(binary, ["events", "template", "--repo", repo.path], environment: environment)
        guard template.status == 0 else { throw TestFailure("events template: \(template.stderr)") }
        _ = try await client.query(.cloudFormation, "CreateStack", ["StackName": "ballast-events",
                                                                    "TemplateBody": template.stdout])
        let stack = try await client.query(.cloudFormation, "DescribeStacks", ["StackName": "ballast-events"])
        guard let queue = (stack.first("Outputs")?.children ?? []).first(where: {
            $0.child("OutputKey")?.text == "QueueUrl"
        })?.child("OutputValue")?.text else { throw TestFailure("the stack has no QueueUrl output") }

        // The watch, through a proxy that counts each read by its operation.
        let reads = Locked<[String: Int]>([:])
        let counter = try LoopbackHTTPServer { request in
            let operation = request.headers["x-amz-target"].map { String($0.split(separator: ".").last ?? "") }
                ?? AWSWire.form(request.body)["Action"] ?? request.method
            reads.update { $0[operation, default: 0] += 1 }
            return LoopbackHTTPServer.forward(request, toPort: moto.port).map { .raw($0) } ?? .drop
        }
        var proxied = environment
        proxied["AWS_ENDPOINT_URL"] = counter.url
        let port = try LoopbackPort.free()
        let log = NSTemporaryDirectory() + "ballast-bench-events-\(UUID().uuidString).log"
        let watch = try Spawned(binary, ["watch", "--repo", repo.path, "--interval", "1h", "--listen",
                                         "127.0.0.1:\(port)", "--events", queue], environment: proxied, log: log)
        defer { watch.stop() }
        try await waitFor("the first full pass", within: 300) { try String(contentsOfFile: log, encoding: .utf8)
            .contains(" run") }
        let fullPass = reads.current
        let fullReads = fullPass.filter { !["ReceiveMessage", "DeleteMessage"].contains($0.key) }.values
            .reduce(0, +)
        reads.update { $0 = [:] }

        // Events at a steady rate: every tenth a real change to a declared log group.
        let groups = items.filter { $0.type == "AWS::Logs::LogGroup" }
        var changed: [(id: String, at: Date)] = []
        let start = Date()
        for index in 0..<events {
            let due = start.addingTimeInterval(seconds * Double(index) / Double(events))
            let wait = due.timeIntervalSinceNow
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
            let real = index % 10 == 0 && changed.count < groups.count
            let group = real ? groups[changed.count].id : "/not-declared/group-\(index)"
            if real {
                _ = try await client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group),
                                                                        "retentionInDays": 7])
            }
            try await putEvent(group, client: client)
            if real { changed.append((group, Date())) }
        }
        try await waitFor("every change reported", within: 120) {
            let text = try String(contentsOfFile: log, encoding: .utf8)
            return changed.allSatisfy { text.contains($0.id + " MODIFIED") }
        }
        let text = try String(contentsOfFile: log, encoding: .utf8)
        var detection: [Double] = []
        for change in changed {
            guard let line = text.split(separator: "\n").first(where: { $0.contains(change.id + " MODIFIED") }),
                  let stamp = line.split(separator: " ").first(where: { $0.hasPrefix("reported_at=") }),
                  let reported = Timestamp.parse(String(stamp.dropFirst("reported_at=".count))) else { continue }
            detection.append(reported.timeIntervalSince(change.at))
        }
        let eventReads = reads.current.filter { !["ReceiveMessage", "DeleteMessage"].contains($0.key) }
        let readCount = eventReads.values.reduce(0, +)
        let queueCalls = (reads.current["ReceiveMessage"] ?? 0) + (reads.current["DeleteMessage"] ?? 0)
        detection.sort()
        func percentile(_ p: Double) -> Double {
            detection.isEmpty ? .nan : detection[min(detection.count - 1, Int(Double(detection.count) * p))]
        }
        say("ballast watch --events (release) over \(items.count) resources; \(events) events in \(Int(seconds)) s "
            + "through moto's EventBridge, \(changed.count) of them real changes")
        say(String(format: "  detection   p50 %.2f s   p95 %.2f s   max %.2f s   (%d changes, each found)",
                   percentile(0.5), percentile(0.95), detection.last ?? .nan, detection.count))
        say(String(format: "  reads       %d for %d matched events: %.2f per event (a log group's read is 1); "
                       + "queue calls %d", readCount, changed.count, Double(readCount) / Double(max(changed.count, 1)),
                   queueCalls) + "; by operation: \(eventReads.sorted { $0.key < $1.key })")
        let budget = readCount + queueCalls
        let passes = Double(budget) / Double(max(fullReads, 1))
        say(String(format: "  polling     a full pass is %d calls; the same %d calls in %.0f s are %.2f passes: "
                       + "a change waits %.0f s on average to be found", fullReads, budget, seconds, passes,
                   passes > 0 ? seconds / passes / 2 : .infinity))
    }

    /// A CloudTrail management event for a call on `group`, as CloudTrail hands it to EventBridge.
    static func putEvent(_ group: String, client: any AWSAPI) async throws {
        let detail = JSON.encode([
            "eventVersion": "1.09", "eventID": .string(UUID().uuidString.lowercased()),
            "eventTime": .string(Timestamp.iso8601(Date())), "eventSource": "logs.amazonaws.com",
            "eventName": "PutRetentionPolicy", "awsRegion": "us-east-1", "userAgent": "aws-cli/2.15.0",
            "recipientAccountId": "123456789012",
            "userIdentity": ["type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice"],
            "requestParameters": ["logGroupName": .string(group), "retentionInDays": 7],
        ])
        _ = try await client.json(.events, "PutEvents", ["Entries": [[
            "Source": "aws.logs", "DetailType": "AWS API Call via CloudTrail", "Detail": .string(detail),
        ]]])
    }

    static func waitFor(_ what: String, within seconds: Double, _ done: () throws -> Bool) async throws {
        let started = Date()
        while Date().timeIntervalSince(started) < seconds {
            if (try? done()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("\(what): not within \(Int(seconds)) s")
    }
}

/// A process started in the background, its stderr in `log`; stopped with SIGTERM.
final class Spawned: @unchecked Sendable {
    let process = Process()

    init(_ binary: String, _ arguments: [String], environment: [String: String], log: String) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}
