import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// The status page (spec section 8) in a real browser: Playwright driving Debian's chromium against a `watch`
/// on moto with drift, a hold, a destructive change and a hostile value, and against the file `report html`
/// writes. The browser script (`Browser/status_page.py`) only observes; this test judges.
@Suite struct StatusPageTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Browser/status_page.py").path
    /// Markup, a script, an image that runs code, a terminal escape sequence (C1's CSI: XML, which moto answers
    /// in, cannot carry ESC itself) and a right-to-left override, as a live value.
    static let hostile = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">\u{9B}31mred"
        + "\u{202E}txt"

    /// Runs the browser script and reads what it saw.
    static func browse(_ arguments: [String]) throws -> Value {
        let run = try Run.process("/usr/bin/env", ["python3", script] + arguments)
        guard run.status == 0 else { throw TestFailure("the browser script failed: \(run.stderr)\n\(run.stdout)") }
        return try JSON.parse(run.stdout)
    }

    /// A repository whose environment has a resource in sync, one drifted by hand after an apply (a
    /// destructive change back), one deleted, one held, and an alarm whose description is hostile.
    static func fleet() async throws -> (repo: TempRepository, changed: String, held: String) {
        let quiet = "/status/" + uniqueName("quiet"), changed = "/status/" + uniqueName("changed")
        let gone = "/status/" + uniqueName("gone"), held = "/status/" + uniqueName("held")
        let alarm = uniqueName("status-alarm")
        try await seeder().create("AWS::Logs::LogGroup", id: changed, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(changed), properties: {RetentionInDays: 14}}\n",
            environment: "region: us-east-1\naccount: \"123456789012\"\n")
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        // A hand change after the apply: 90 days live, 14 declared (putting it back is destructive).
        let logs = AWSSetup(environment: MotoServer.shared.environment).client(region: "us-east-1")
        _ = try await logs.json(.logs, "PutRetentionPolicy",
                                ["logGroupName": .string(changed), "retentionInDays": 90])
        try await seeder().create("AWS::Logs::LogGroup", id: quiet, ["RetentionInDays": 30])
        try await seeder().create("AWS::Logs::LogGroup", id: held, ["RetentionInDays": 7])
        try await seeder().create("AWS::CloudWatch::Alarm", id: alarm, [
            "Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage", "Threshold": 300,
            "EvaluationPeriods": 5, "AlarmDescription": .string(hostile),
        ])
        _ = try repo.commit(["desired-state/test/resources.yaml": """
            resources:
              - {type: AWS::Logs::LogGroup, id: \(changed), properties: {RetentionInDays: 14}}
              - {type: AWS::Logs::LogGroup, id: \(quiet), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(gone), properties: {RetentionInDays: 30}}
              - {type: AWS::Logs::LogGroup, id: \(held), properties: {RetentionInDays: 30}}
              - {type: AWS::CloudWatch::Alarm, id: \(alarm), properties: {AlarmDescription: pages the on-call}}

            """], message: "Declare what the status page shows")
        let hold = try repo.ballast(["hold", "--env", "test", "--type", "AWS::Logs::LogGroup", "--id", held,
                                     "--for", "1h", "--reason", "INC-7: <b>keep</b> it"])
        #expect(hold.status == 0, "\(hold.stderr)")
        return (repo, changed, held)
    }

    @Test func theWatchServesEveryPageToARealBrowserWithoutHarm() async throws {
        let (repo, changed, held) = try await Self.fleet()
        // With --events: the hand change's CloudTrail event names who made it.
        let queue = try await WatchEventsTests.queue()
        let watch = try WatchTests.Watch(["--interval", "1h", "--events", queue], repo: repo)
        _ = try watch.lastRun()
        try await WatchEventsTests.send(WatchEventsTests.event(
            "PutRetentionPolicy", ["logGroupName": .string(changed), "retentionInDays": 90]), to: queue)
        _ = try WatchEventsTests.waitFor(watch) { ($0["ballast_detection_seconds_count{}"] ?? 0) >= 1 }
        let shots = NSTemporaryDirectory() + "status-shots-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: shots) }
        let path = "/resource/test/" + ["AWS::Logs::LogGroup", "us-east-1", changed].map {
            $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        }.joined(separator: "/")
        let seen = try Self.browse(["served", "http://127.0.0.1:\(watch.port)", "test", path, shots])

        for scheme in ["light", "dark"] {
            let errors = seen[scheme]?["errors"]?.list ?? [.string("no observations")]
            #expect(errors.isEmpty, "\(scheme): \(errors)")
            for name in ["overview", "environment", "resource", "json"] {
                let page = seen[scheme]?["pages"]?[name]
                #expect(page?["status"] == 200, "\(scheme) \(name): \(page ?? .null)")
                #expect(page?["csp"]?.string?.hasPrefix("default-src 'none'") == true, "\(name)")
                guard name != "json" else { continue }
                #expect(page?["axe"]?.list == [], "\(scheme) \(name): serious or critical: \(page?["axe"] ?? .null)")
                #expect((page?["pwned"] ?? .null) == .null, "\(name): a value ran as code")
                #expect(page?["scripts"] == 1 && page?["images"] == 0, "\(name): \(page ?? .null)")
            }
        }
        let overview = seen["light"]?["pages"]?["overview"]?["text"]?.string ?? ""
        #expect(overview.contains("123456789012"), "the environment's account: \(overview)")
        let environment = seen["light"]?["pages"]?["environment"]?["text"]?.string ?? ""
        // Each row in the text output's words: live -> desired, the hold, the risk, the deleted one.
        #expect(environment.contains("RetentionInDays: 90 -> 14"), "\(environment)")
        #expect(environment.contains("changed by assumed-role/OpsOnCall/alice via cli"), "\(environment)")
        #expect(environment.contains("destructive"), "\(environment)")
        #expect(environment.contains("held by") && environment.contains("INC-7: <b>keep</b> it"), "\(environment)")
        #expect(environment.contains("does not exist"), "\(environment)")
        // The hostile description is shown as text, as the text output says it: quoted, its escape sequence
        // and override made visible.
        #expect(environment.contains("<script>window.pwned=1</script>")
                    && environment.contains("\\u009b31mred\\u202etxt\" -> \"pages the on-call\""), "\(environment)")
        #expect(seen["rows"] == 5 && seen["rowsModifiedByScript"] == 3 && seen["rowsAgain"] == 5
                    && seen["rowsDeletedByServer"] == 1, "filtering: \(seen)")
        #expect(seen["phoneOverflow"] == false, "the page is wider than a phone")
        let resource = seen["light"]?["pages"]?["resource"]?["text"]?.string ?? ""
        // Its history: the commit that declared it (the later commit left its line alone), and the journal's write.
        #expect(resource.contains("desired"), "\(resource)")
        #expect(resource.contains("apply: logs:PutRetentionPolicy applied"), "\(resource)")
        #expect(resource.contains("PutRetentionPolicy (logs.amazonaws.com)"), "the event it received: \(resource)")
        let api = try JSON.parse(seen["light"]?["pages"]?["json"]?["text"]?.string ?? "")
        let episode = api["environments"]?.list?.first?["resources"]?.list?.first { $0["id"]?.string == changed }?[
            "history"]?.list?.first { $0["source"] == "drift" }
        #expect(episode?["by"]?.string?.hasSuffix("assumed-role/OpsOnCall/alice") == true && episode?["ended"] == nil,
                "the open episode names who, once the event said: \(episode ?? .null)")
        #expect(resource.contains("destructive"), "\(resource)")
        let resources = api["environments"]?.list?.first?["resources"]?.list ?? []
        let commits = resources.first { $0["id"]?.string == changed }?["history"]?.list?
            .filter { $0["source"] == "commit" }.compactMap { $0["said"]?.string }
        #expect(commits == ["desired"], "only the commit that changed its declaration: \(commits ?? [])")
        #expect(resources.count == 5, "\(api)")
        #expect(resources.contains { $0["id"]?.string == held && $0["differences"]?.list?.first?["held"] != nil })
        // Put back by hand: the next read (an event's) ends the episode, and the page says when.
        _ = try await AWSSetup(environment: MotoServer.shared.environment).client(region: "us-east-1")
            .json(.logs, "PutRetentionPolicy", ["logGroupName": .string(changed), "retentionInDays": 14])
        try await WatchEventsTests.send(WatchEventsTests.event(
            "PutRetentionPolicy", ["logGroupName": .string(changed), "retentionInDays": 14]), to: queue)
        _ = try WatchEventsTests.waitFor(watch) { ($0["ballast_drift_resolved_seconds_count{}"] ?? 0) >= 1 }
        let after = try JSON.parse(try watch.get("/api/status.json") ?? "")
        let ended = after["environments"]?.list?.first?["resources"]?.list?.first { $0["id"]?.string == changed }?[
            "history"]?.list?.first { $0["source"] == "drift" }
        #expect(ended?["ended"]?.string != nil && ended?["by"]?.string?.hasSuffix("OpsOnCall/alice") == true,
                "the episode ended: \(ended ?? .null)")
        let page = try watch.get(path) ?? ""
        #expect(page.contains("drifted: RetentionInDays 90") && page.contains("(ended "), "\(page)")
        // A new commit that changes its line is in the JSON page's history at once (what it keeps is per commit).
        _ = try repo.commit(["desired-state/test/resources.yaml": try String(
            contentsOfFile: repo.path + "/desired-state/test/resources.yaml", encoding: .utf8)
            .replacingOccurrences(of: "id: \(changed), properties: {RetentionInDays: 14}",
                                  with: "id: \(changed), properties: {RetentionInDays: 30}")], message: "Keep a month")
        let moved = try JSON.parse(try watch.get("/api/status.json") ?? "")["environments"]?.list?.first?["resources"]?
            .list?.first { $0["id"]?.string == changed }?["history"]?.list?.filter { $0["source"] == "commit" }
        #expect(moved?.compactMap { $0["said"]?.string } == ["Keep a month", "desired"], "\(moved ?? [])")
        if ProcessInfo.processInfo.environment["BALLAST_UPDATE_DOCS"] == "1" {
            let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs").path
            for name in ["status-environment.png", "status-resource.png"] {
                try? FileManager.default.removeItem(atPath: docs + "/" + name)
                try FileManager.default.copyItem(atPath: shots + "/" + name, toPath: docs + "/" + name)
            }
        }
        #expect(try watch.stop(SIGTERM) == 0)
    }

    /// Beyond loopback the page wants `BALLAST_WEB_TOKEN`: refused without it, a first `?token=` visit sets an
    /// HttpOnly, SameSite=Strict cookie and lands on the page without the token in its address. Without a
    /// token set, the page is not served there at all (`/metrics` is, as before).
    @Test func beyondLoopbackThePageWantsItsToken() async throws {
        let (repo, _, _) = try await Self.fleet()
        let token = "status-token-" + uniqueName("secret")
        let watch = try WatchTests.Watch(["--interval", "1h"], repo: repo, environment: ["BALLAST_WEB_TOKEN": token],
                                         host: "0.0.0.0")
        _ = try watch.lastRun()
        let seen = try Self.browse(["token", "http://127.0.0.1:\(watch.port)", token])
        #expect(seen["refused"] == 401 && seen["refusedJSON"] == 401, "\(seen)")
        #expect(seen["firstVisit"] == 200 && seen["afterCookie"] == 200, "\(seen)")
        #expect(seen["url"]?.string?.contains("token") == false, "\(seen)")
        #expect(seen["cookies"] == [["name": "ballast_token", "httpOnly": true, "sameSite": "Strict"]], "\(seen)")
        #expect(!watch.stderr.contains(token), "the token is scrubbed from the log")
        // A first visit's redirect stays on the page's host, whatever its path says.
        let elsewhere = try Run.process("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w",
                                                         "%{http_code} %{redirect_url}",
                                                         "http://127.0.0.1:\(watch.port)//env/test?token=\(token)"])
        #expect(elsewhere.stdout == "303 http://127.0.0.1:\(watch.port)/env/test", "\(elsewhere.stdout)")
        #expect(try watch.stop(SIGTERM) == 0)

        let open = try WatchTests.Watch(["--interval", "1h"], repo: repo, host: "0.0.0.0")
        _ = try open.lastRun()
        let page = try Run.process("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                                    "http://127.0.0.1:\(open.port)/"])
        #expect(page.stdout == "403", "\(page.stdout)")
        #expect(try open.get("/metrics") != nil)
        #expect(open.stderr.contains("the status page is not served there without BALLAST_WEB_TOKEN"))
        #expect(try open.stop(SIGTERM) == 0)

        let short = try repo.ballast(["watch", "--interval", "1h"], ["BALLAST_WEB_TOKEN": "short"])
        #expect(short.status == 1 && short.stderr.contains("the status page wants at least 16"), "\(short.stderr)")
    }

    /// `report html` writes every page into one file that opens with no network: no request leaves it, no
    /// console error, its filter works, no serious accessibility finding, the hostile value shown as text.
    @Test func theReportFileOpensOfflineAsThePageDoes() async throws {
        let (repo, _, _) = try await Self.fleet()
        let folder = NSTemporaryDirectory() + "status-file-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let drift = try repo.ballast(["plan", "--output", "json"])
        try drift.stdout.write(toFile: folder + "/plan.json", atomically: true, encoding: .utf8)
        let html = try Run.ballast(["report", "html", "--out", folder + "/status.html", folder + "/plan.json"])
        #expect(html.status == 0, "\(html.stderr)")
        let seen = try Self.browse(["file", folder + "/status.html", folder])
        #expect(seen["errors"]?.list == [] && seen["requests"]?.list == [], "\(seen)")
        #expect(seen["axe"]?.list == [], "\(seen["axe"] ?? .null)")
        #expect((seen["pwned"] ?? .null) == .null)
        #expect(seen["rows"] == 5 && seen["rowsModified"] == 3, "\(seen)")
        let text = seen["text"]?.string ?? ""
        #expect(text.contains("<script>window.pwned=1</script>") && text.contains("logs:PutRetentionPolicy"),
                "\(text)")
        // Standard input is read up to 256 MiB and no further: one byte more is refused, and nothing is written.
        let pipe = "head -c 268435457 /dev/zero | \"$0\" report html --out \"$1\""
        let flood = try Run.process("/bin/bash", ["-c", pipe, Run.ballastBinary, folder + "/flood.html"])
        #expect(flood.status == 1 && flood.stderr.contains("larger than 268435456 bytes"), "\(flood.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/flood.html"))
    }
}
