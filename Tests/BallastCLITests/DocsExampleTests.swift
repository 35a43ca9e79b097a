import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// The docs' console examples are the program's output: a block marked `<!-- example: SCENARIO -->`
/// has each `$ ballast ...` line run in that scenario's repository, and what it prints must be what
/// the block shows after the command (commit ids, times and temporary paths normalised; a `...` line
/// stands for any lines; `(exit N)` is the exit code). A stale example fails here.
@Suite struct DocsExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// One marked block: where it is, its scenario, and its commands with what each prints.
    struct Example: CustomStringConvertible {
        var file: String
        var line: Int
        var scenario: String
        var steps: [(command: [String], expected: [String], exit: Int32)]
        /// The page's own files (`this-page`): each block marked `<!-- file: PATH -->`, by its path.
        var pageFiles: [String: String] = [:]
        var description: String { "\(file):\(line) (\(scenario))" }
    }

    /// README.md and every page under docs/, sorted.
    static func documents() -> [String] {
        var files = ["README.md"]
        let docs = FileManager.default.enumerator(atPath: root.appendingPathComponent("docs").path)
        while let path = docs?.nextObject() as? String {
            if path.hasSuffix(".md") { files.append("docs/" + path) }
        }
        return files.sorted()
    }

    /// Every marked example in README.md and docs/.
    static func examples() throws -> [Example] {
        var found: [Example] = []
        for file in documents() {
            let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var pageFiles: [String: String] = [:]
            for (index, line) in lines.enumerated()
            where line.hasPrefix("<!-- file: ") && line.hasSuffix(" -->") && index + 1 < lines.count {
                let path = String(line.dropFirst("<!-- file: ".count).dropLast(" -->".count))
                let body = lines[(index + 2)...].prefix { !$0.hasPrefix("```") }
                pageFiles[path] = body.joined(separator: "\n") + "\n"
            }
            var index = 0
            while index < lines.count {
                defer { index += 1 }
                guard lines[index].hasPrefix("<!-- example: "), lines[index].hasSuffix(" -->"),
                      index + 1 < lines.count, lines[index + 1].hasPrefix("```") else { continue }
                let scenario = String(lines[index].dropFirst("<!-- example: ".count).dropLast(" -->".count))
                var example = Example(
                    file: file, line: index + 1, scenario: scenario, steps: [], pageFiles: pageFiles)
                var cursor = index + 2
                while cursor < lines.count, !lines[cursor].hasPrefix("```") {
                    let line = lines[cursor]
                    if line.hasPrefix("$ ballast ") {
                        example.steps.append((try words(String(line.dropFirst("$ ballast ".count))), [], 0))
                    } else if let last = example.steps.indices.last {
                        if line.hasPrefix("(exit "), let code = Int32(line.dropFirst(6).dropLast()) {
                            example.steps[last].exit = code
                        } else {
                            example.steps[last].expected.append(line)
                        }
                    }
                    cursor += 1
                }
                found.append(example)
            }
        }
        return found
    }

    /// A command line's words, as a shell splits them (single and double quotes, backslash escapes as
    /// `printf %q` writes them; a `#` comment ends it).
    static func words(_ line: String) throws -> [String] {
        var words: [String] = [], current = "", quote: Character?, started = false, escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if quote == nil, character == "\\" {
                escaped = true
                started = true
            } else if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                started = true
            } else if character == "#", !started || current.isEmpty {
                break
            } else if character == " " {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        guard quote == nil else { throw TestFailure("an unclosed quote in: \(line)") }
        return words
    }

    /// Commit ids, ISO times and dates, hold ids, UUIDs, ports, temporary folders and the seconds an event
    /// took to be reported vary from run to run:
    /// each becomes one token.
    static func normalised(_ text: String) -> String {
        var out = text
        for (pattern, token) in [("/tmp/[A-Za-z0-9._/-]+", "<tmp>"), ("127\\.0\\.0\\.1:[0-9]+", "127.0.0.1:<port>"),
                                 ("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>"),
                                 ("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{4})", "<time>"),
                                 ("[0-9]{4}-[0-9]{2}-[0-9]{2}", "<date>"), ("\\bh-[0-9a-f]{12}\\b", "<hold>"),
                                 ("\\b[0-9a-f]{7,40}\\b", "<sha>"),
                                 // How long an event took to be reported: the machine's, not the story's.
                                 ("detection_s=[0-9.,]+", "detection_s=<seconds>")] {
            out = out.replacingOccurrences(of: pattern, with: token, options: .regularExpression)
        }
        return out
    }

    /// Whether `actual` is `expected`, a `...` line in it standing for any lines (none included).
    static func matches(_ expected: [String], _ actual: [String]) -> Bool {
        guard let first = expected.first else { return actual.isEmpty }
        if first == "..." {
            return (0...actual.count).contains { matches(Array(expected.dropFirst()), Array(actual.dropFirst($0))) }
        }
        guard let line = actual.first, normalised(line) == normalised(first) else { return false }
        return matches(Array(expected.dropFirst()), Array(actual.dropFirst()))
    }

    /// The example desired state and policies, committed; with `incident-edit`, then the demo's edit with
    /// mistakes committed on top (MinSize above MaxSize, a misspelt property); with `tightened-step`, then
    /// `asg-capacity-step` tightened to "grow by half at most" on top (a policy test no longer holds).
    /// `this-page`: only the files the page itself shows, each in a block marked `<!-- file: PATH -->`.
    static func repository(_ scenario: String, pageFiles: [String: String] = [:]) throws -> TempRepository {
        if scenario == "this-page" {
            let repo = try TempRepository()
            try repo.commit(pageFiles, message: "The page's files")
            return repo
        }
        let files = try Fixture.exampleFiles(root: root)
        let repo = try TempRepository()
        try repo.commit(files, message: "Example desired state")
        switch scenario {
        case "example-repository", "demo": break
        case "incident-edit":
            let path = "desired-state/prod/tolling-vision.yaml"
            let edited = try #require(files[path])
                .replacingOccurrences(of: "      MinSize: 3                          # one per availability zone",
                                      with: "      MinSize: 20")
                .replacingOccurrences(of: "RetentionInDays: 90", with: "RetentionInDay: 90")
            try repo.commit([path: edited], message: "Scale tolling-vision up during incident")
        case "tightened-step":
            let path = "policies/operations.yaml"
            let edited = try #require(files[path])
                .replacingOccurrences(of: "(after.DesiredCapacity <= before.DesiredCapacity * 2 ||",
                                      with: "(after.DesiredCapacity * 2 <= before.DesiredCapacity * 3 ||")
                .replacingOccurrences(of: "Desired capacity may at most double or halve in one change",
                                      with: "Desired capacity may grow by half at most in one change")
            #expect(edited != files[path], "the scenario's edit no longer applies to \(path)")
            try repo.commit([path: edited], message: "Grow by half at most")
        default: throw TestFailure("no scenario \(scenario)")
        }
        return repo
    }

    /// One step of the demo's transcript: the command's words, what it printed, its exit code.
    struct Step {
        var command: [String]
        var output: [String]
        var exit: Int32
    }

    /// The demo (`scripts/demo.sh`), run once with the binaries this test run built: the docs quote its
    /// transcript, so a quoted step whose output changed fails here.
    static let demo: Result<[Step], TestFailure> = {
        let folder = URL(fileURLWithPath: Run.ballastBinary).deletingLastPathComponent().path
        // Standard error too, in its place: a step's notes are part of what it says.
        guard
            let run = try? Run.process(
                "/bin/bash", ["-c", "\"$0\" 2>&1", root.appendingPathComponent("scripts/demo.sh").path],
                environment: ProcessInfo.processInfo.environment.merging(
                    ["BALLAST_DEMO_BIN": folder, "NO_COLOR": "1"]) { $1 }),
            run.status == 0
        else {
            return .failure(TestFailure("the demo did not run to its end"))
        }
        var steps: [Step] = []
        for line in run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("$ ballast ") {
                guard let command = try? words(String(line.dropFirst("$ ballast ".count))) else { continue }
                steps.append(Step(command: command, output: [], exit: 0))
            } else if line.hasPrefix("$ ") || line.hasPrefix("==> ") {
                steps.append(Step(command: [], output: [], exit: 0))  // not ballast's: closes the step before
            } else if let last = steps.indices.last {
                if line.hasPrefix("(exit "), let code = Int32(line.dropFirst(6).dropLast()) {
                    steps[last].exit = code
                } else if !line.isEmpty {
                    steps[last].output.append(line)
                }
            }
        }
        return .success(steps)
    }()

    /// A `demo` example: each of its commands is found in the demo's transcript, in order (the demo runs
    /// some commands several times: the one whose output the example shows), and must have printed what
    /// the example shows.
    func checkAgainstTheDemo(_ example: Example) throws {
        let transcript = try Self.demo.get()
        var from = 0
        for step in example.steps {
            let command = "ballast " + step.command.joined(separator: " ")
            let expectedLines = step.expected.filter { !$0.isEmpty }
            // A port or a temporary folder in the words is the run's own: compared as the output is.
            let candidates = transcript.indices.dropFirst(from).filter {
                transcript[$0].command.map(Self.normalised) == step.command.map(Self.normalised)
            }
            guard let first = candidates.first else {
                Issue.record("\(example): the demo runs no \(command) (after the example's earlier steps)")
                return
            }
            let at = candidates.first { Self.matches(expectedLines, transcript[$0].output) } ?? first
            from = at + 1
            let expected = step.expected.filter { !$0.isEmpty }
            let said = transcript[at].output.joined(separator: "\n"), shown = expected.joined(separator: "\n")
            let exit = transcript[at].exit
            #expect(
                exit == step.exit, "\(example): \(command) exited \(exit) in the demo, the example says \(step.exit)")
            #expect(
                Self.matches(expected, transcript[at].output),
                "\(example): \(command) prints in the demo\n\(said)\nwhere it shows\n\(shown)")
        }
    }

    @Test func everyMarkedExampleIsWhatTheProgramPrints() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 2, "the docs mark their examples: \(examples)")
        let offline = ["AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""]
        for example in examples {
            if example.scenario == "demo" {
                try checkAgainstTheDemo(example)
                continue
            }
            let repo = try Self.repository(example.scenario, pageFiles: example.pageFiles)
            for step in example.steps {
                let run = try Run.ballast(step.command, cwd: repo.path, environment: offline)
                let printed = (run.stdout + run.stderr).split(separator: "\n", omittingEmptySubsequences: false)
                    .map(String.init).filter { !$0.isEmpty }
                let expected = step.expected.filter { !$0.isEmpty }
                let command = "ballast " + step.command.joined(separator: " ")
                let shown = expected.joined(separator: "\n")
                let said = printed.joined(separator: "\n")
                #expect(
                    run.status == step.exit,
                    "\(example): \(command) exited \(run.status), the example says \(step.exit)")
                #expect(
                    Self.matches(expected, printed), "\(example): \(command) prints\n\(said)\nwhere it shows\n\(shown)"
                )
            }
        }
    }

    /// docs/plan-comment.md (pictured in the README as docs/plan-comment.png) is the demo's plan comment.
    @Test func thePlanCommentInTheDocsIsTheDemos() throws {
        let transcript = try Self.demo.get()
        let step = try #require(transcript.first { $0.command == ["plan", "--env", "prod", "--output", "markdown"] })
        let committed = try String(
            contentsOf: Self.root.appendingPathComponent("docs/plan-comment.md"), encoding: .utf8
        )
        .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        let stale: Comment =
            "docs/plan-comment.md is stale: scripts/screenshot-comment.sh makes it and its picture again"
        #expect(Self.matches(committed, step.output), stale)
    }

    /// A console example no marker names would go stale unseen: every `$ ballast` line in a fenced block
    /// is in a marked one (a command shown without its output is written without the `$ `).
    @Test func everyConsoleExampleIsMarked() throws {
        var unmarked: [String] = []
        for file in Self.documents() {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            var inside = false, marked = false, previous = ""
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.hasPrefix("```") {
                    marked = !inside && previous.hasPrefix("<!-- example: ")
                    inside.toggle()
                } else if inside, !marked, line.hasPrefix("$ ballast ") {
                    unmarked.append("\(file):\(number + 1): \(line)")
                }
                previous = String(line)
            }
        }
        #expect(unmarked.isEmpty, "console examples no test runs:\n\(unmarked.joined(separator: "\n"))")
    }

    /// The check itself: a changed example fails it.
    @Test func aChangedExampleFails() {
        #expect(Self.matches(["valid: 4bc5730a936d: 2 environment(s)"], ["valid: 0123456789ab: 2 environment(s)"]))
        #expect(!Self.matches(["valid: 4bc5730a936d: 3 environment(s)"], ["valid: 0123456789ab: 2 environment(s)"]))
        #expect(Self.matches(["a", "...", "d"], ["a", "b", "c", "d"]))
        #expect(!Self.matches(["a", "...", "e"], ["a", "b", "c", "d"]))
    }

    /// The demo's story does not depend on the hour it runs at: started with the clock inside prod's
    /// change window and outside it, it prints the same steps with the same exit codes and output.
    /// `scripts/demo.sh --serve` ends its story with the status page up, its address printed: the page
    /// answers with prod's resources until the demo is stopped.
    @Test func theDemoLeavesTheStatusPageUpWithServe() throws {
        let folder = URL(fileURLWithPath: Run.ballastBinary).deletingLastPathComponent().path
        let log = NSTemporaryDirectory() + "demo-serve-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let demo = Process()
        // Foundation starts it as the leader of its own process group: stopping the group stops the watch and
        // the emulator too.
        demo.executableURL = URL(fileURLWithPath: "/bin/bash")
        demo.arguments = [Self.root.appendingPathComponent("scripts/demo.sh").path, "--serve"]
        demo.environment = ProcessInfo.processInfo.environment.merging(
            ["BALLAST_DEMO_BIN": folder, "NO_COLOR": "1"]) { $1 }
        demo.standardOutput = FileHandle(forWritingAtPath: log)
        demo.standardError = FileHandle.nullDevice
        try demo.run()
        defer {
            kill(-demo.processIdentifier, SIGTERM)
            let stopping = Date()
            while demo.isRunning, Date().timeIntervalSince(stopping) < 20 { Thread.sleep(forTimeInterval: 0.2) }
            // What is left of the group (the emulator: the test runner's children block SIGTERM) goes too.
            kill(-demo.processIdentifier, SIGKILL)
        }
        var address: String?
        let started = Date()
        while address == nil, Date().timeIntervalSince(started) < 180, demo.isRunning {
            let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            address = said.split(separator: "\n").first { $0.contains("the status page: http://127.0.0.1:") }
                .flatMap { $0.split(separator: " ").first { $0.hasPrefix("http://") } }.map(String.init)
            Thread.sleep(forTimeInterval: 0.5)
        }
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let url = try #require(address, "no address printed: \(said.suffix(1_000))")
        var api: Value = .null
        while Date().timeIntervalSince(started) < 200 {
            let got = try Run.process("/usr/bin/env", ["curl", "-sf", "--max-time", "5", url + "api/status.json"])
            if got.status == 0, let parsed = try? JSON.parse(got.stdout) { api = parsed; break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        let prod = api["environments"]?.list?.first { $0["name"] == "prod" }
        #expect((prod?["resources"]?.list?.count ?? 0) > 20, "\(api)")
        let page = try Run.process("/usr/bin/env", ["curl", "-sf", "--max-time", "5", url + "env/prod"])
        #expect(page.status == 0 && page.stdout.contains("tolling-vision-prod-asg"), "\(page.stdout.prefix(500))")
    }

    @Test func theDemoTellsTheSameStoryAtAnyHour() throws {
        let folder = URL(fileURLWithPath: Run.ballastBinary).deletingLastPathComponent().path
        // The machine's wall clock, moved for the demo's processes (ballast, the emulator, git, date) by a
        // preloaded library: CLOCK_REALTIME only, so sleeps and timeouts still run on the monotonic clocks.
        let shim = FileManager.default.temporaryDirectory.appendingPathComponent("wallclock-shift-\(UUID()).so").path
        defer { try? FileManager.default.removeItem(atPath: shim) }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("WallClock/wallclock-shift.c").path
        let built = try Run.process("/usr/bin/env", ["clang", "-shared", "-fPIC", "-O2", "-o", shim, source, "-ldl"])
        try #require(built.status == 0, "the clock shim did not build: \(built.stderr)")
        func environment(at hour: String) throws -> [String: String] {
            let target = try #require(try? Date(hour, strategy: .iso8601))
            let shift = Int(target.timeIntervalSinceNow.rounded())
            return ProcessInfo.processInfo.environment.merging(
                ["BALLAST_DEMO_BIN": folder, "NO_COLOR": "1", "LD_PRELOAD": shim,
                 "BALLAST_TEST_WALLCLOCK_SHIFT": String(shift),
                 // An exported BALLAST_NOW is the machine's hour too: the demo sets its own.
                 "BALLAST_NOW": hour]) { $1 }
        }
        func transcript(at hour: String) throws -> [String] {
            let env = try environment(at: hour)
            // The shim holds: the demo's processes see the hour (a weekday and hour, as change windows do).
            let seen = try Run.process("/usr/bin/env", ["date", "-u", "+%a %H"], environment: env)
            let meant = try Run.process("/usr/bin/env", ["date", "-u", "-d", hour, "+%a %H"])
            #expect(seen.stdout == meant.stdout && !seen.stdout.isEmpty, "\(seen.stdout) \(meant.stdout)")
            let run = try Run.process(
                "/bin/bash", ["-c", "\"$0\" 2>&1", Self.root.appendingPathComponent("scripts/demo.sh").path],
                environment: env)
            #expect(run.status == 0, "the demo at \(hour) stopped:\n\(run.stdout.suffix(2_000))")
            // git's own author dates (`git show`) are the machine's: not ballast's story.
            return run.stdout.split(separator: "\n").map { Self.normalised(String($0)) }
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("Date:") }
        }
        // Inside prod's change window (Sunday 02:00-04:00 UTC) and outside it.
        let inside = try transcript(at: "2026-12-06T02:30:00Z"), outside = try transcript(at: "2026-12-08T09:30:00Z")
        #expect(inside.count > 200)
        for (a, b) in zip(inside, outside) where a != b {
            Issue.record("the story differs by the hour:\n\(a)\n\(b)")
            break
        }
        #expect(inside.count == outside.count)
    }
}
