import ArgumentParser
import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastRender
import FoundationEssentials
import Glibc

/// The options every command that writes takes (apply, rollback, revert --apply).
struct ApplyOptions: ParsableArguments {
    @Flag(name: .long, help: "Apply without asking.")
    var autoApprove = false

    @Flag(name: .long, help: "Go on after a failed write instead of stopping.")
    var continueOnError = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Apply outside the environment's change windows; the reason goes into the journal.",
            valueName: "reason"))
    var overrideWindow: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long to wait for AWS to finish what it accepted (a table updating, an "
                + "instance's pending modifications) before calling a change pending: 90s, 10m, 1h.",
            valueName: "duration"))
    var waitTimeout: String = "10m"

    @Flag(name: .long, help: "Read written resources back once and return; what AWS has not finished is pending.")
    var noWait = false

    @OptionGroup var guards: GuardOptions

    /// `--wait-timeout` in seconds; 0 with `--no-wait`.
    var waitSeconds: TimeInterval { noWait ? 0 : Self.seconds(waitTimeout) ?? 600 }

    /// The longest duration any option takes: a week. Past it a wait, a budget or an interval
    /// is a mistake (`inf`, `1e16h`), and numbers that large would overflow a clock.
    static let longestDuration: TimeInterval = 7 * 24 * 3600

    /// `90s`, `10m`, `1h`, or a number of seconds, from 0 to a week; nil for anything else.
    static func seconds(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600]
        let number: Double?
        if let unit = text.last.flatMap({ units[$0] }) {
            number = Double(text.dropLast()).map { $0 * unit }
        } else {
            number = Double(text)
        }
        guard let number, number.isFinite, (0...longestDuration).contains(number) else { return nil }
        return number
    }

    /// What a duration option says it takes, for its error.
    static func durationError(_ option: String, _ text: String, least: String = "0s") -> ValidationError {
        ValidationError("\(option) takes a duration from \(least) to 168h (a week), like 90s, 10m or 1h, "
            + "not '\(text)'")
    }

    func validate() throws {
        if Self.seconds(waitTimeout) == nil { throw Self.durationError("--wait-timeout", waitTimeout) }
        if let overrideWindow, overrideWindow.trimmingSpaces().isEmpty {
            throw ValidationError(
                "--override-window needs a reason, like --override-window \"INC-4312: queue backlog\"")
        }
    }
}

/// The CLI half of an apply (apply, rollback, revert --apply): loads, asks,
/// hands the rest to the engine's `ApplyRun`, renders its result and maps it to
/// an exit code.
struct ApplyFlow {
    var options: ApplyOptions
    var kind: JournalEntry.Kind = .apply
    /// Rollback: the HEAD it rolls back from. Revert: the reverted commit.
    var relatedCommit: String?

    func run(_ source: RepositoryOptions, saved: SavedPlan? = nil) async throws {
        let setup = AWSSetup(debug: options.debug)
        let loaded = try Planning.load(source)
        let progress = Progress(label: "reading live settings")
        let autoApprove = options.autoApprove
        let run = ApplyRun(
            kinds: builtInKinds, clients: setup.clients, lockTables: setup.lockTables,
            gitDirectory: loaded.gitDirectory,
            clock: try RunContext.clock(),
            // The confirmation reads the terminal: on its own thread.
            confirm: { count in await onOwnThread { Self.confirm(count, autoApprove: autoApprove) } },
            events: { event in
                switch event {
                case .planned(let plan):
                    progress.finish()
                    for warning in plan.report.warnings { Terminal.note(warning) }
                    Terminal.write(PlanRendering.render(plan, as: .text, colour: Terminal.useColour(STDOUT_FILENO)))
                case .note(let text): Terminal.note(text)
                case .waiting(let text): Terminal.err(text)
                case .problem(let text): Terminal.error(text)
                }
            },
            progress: progress.update(environment:read:total:), holdKey: try RunContext.key(),
            guardWindow: options.guards.seconds)
        let request = ApplyRequest(kind: kind, relatedCommit: relatedCommit, saved: saved,
                                   continueOnError: options.continueOnError, overrideWindow: options.overrideWindow,
                                   waitTimeout: options.waitSeconds)
        let result = await run.run(loaded, request)
        progress.finish()
        try Self.render(result, saved: saved != nil)
    }

    /// Prints the result; throws the exit code of anything but a complete, journaled apply.
    static func render(_ result: ApplyResult, saved: Bool) throws {
        switch result {
        case .refused(let refusal):
            try render(refusal, saved: saved)
        case .nothingToWrite(let unfixable):
            for drift in unfixable {
                Terminal.out("cannot fix     \(drift.resource.type) \(drift.displayId): it does not exist")
            }
            if saved, unfixable.isEmpty { Terminal.out("Nothing to apply.") }
            if !unfixable.isEmpty { throw Failure.error }
        case .finished(let entry, let record):
            report(entry)
            for problem in record.problems { Terminal.error(problem) }
            if !record.places.isEmpty {
                Terminal.out("Journal: recorded as \(record.places.joined(separator: " and ")).")
            }
            if entry.outcome != .applied || !record.problems.isEmpty { throw Failure.error }
        }
    }

    static func render(_ refusal: ApplyRefusal, saved: Bool) throws {
        switch refusal {
        case .locked(let held): Terminal.error(held.description)
        case .lockFailed(let why), .journal(let why): Terminal.error("\(why); nothing was changed")
        case .notChecked: Terminal.error("some resources could not be read; nothing was changed")
        case .wrongAccount(let why): Terminal.error("\(why); nothing was changed")
        case .forged(let lines):
            Terminal.error(
                "the plan file asks for writes the desired state at its revision does not; nothing was changed")
            for line in lines { Terminal.err("  \(line)") }
        case .stale(let lines):
            Terminal.error("the plan is stale: live values moved since it was made; nothing was changed")
            for line in lines { Terminal.err("  \(line)") }
        case .denied(let policy):
            if saved { Terminal.write(PolicyRendering.text(policy)) }
            Terminal.error("a deny policy fails; nothing was changed")
            throw ExitCode(3)
        case .outsideWindows(let refusals):
            for refusal in refusals { Terminal.error(refusal) }
            Terminal.err("Nothing was changed. For an emergency, pass --override-window \"reason\" (it is journaled).")
        case .declined:
            break
        }
        throw Failure.error
    }

    static func confirm(_ count: Int, autoApprove: Bool) -> Bool {
        if autoApprove { return true }
        guard isatty(STDIN_FILENO) == 1 else {
            Terminal.error("no terminal to ask on: pass --auto-approve, or apply a saved plan file")
            return false
        }
        StandardStream.output.write("Apply these \(count) changes? [y/N] ")
        guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
            Terminal.out("Nothing was changed.")
            return false
        }
        return true
    }

    /// One line per write. Each field is escaped on its own (an AWS message with a line break cannot
    /// start a line of its own that reads as another write's) and cut at a length a reader can take.
    static func report(_ entry: JournalEntry) {
        Terminal.out("")
        for item in entry.changes {
            let change = item.change
            let what =
                "\(UntrustedText.field(change.call, limit: 200)) \(UntrustedText.field(change.id, limit: 2_048))"
            let error = UntrustedText.field(item.error ?? "")
            switch item.outcome {
            case .applied where item.verified: Terminal.out("applied        \(what)")
            case .applied where item.pending:
                Terminal.out("pending        \(what): written; AWS has not finished it (\(error))")
            case .applied: Terminal.out("not verified   \(what): written, but read back \(error)")
            case .failed: Terminal.out("failed         \(what): \(error)")
            case .notAttempted: Terminal.out("not attempted  \(what)")
            case .unknown: Terminal.out("unknown        \(what): \(error)")
            }
        }
        // A settings tool cannot create what is gone: say so, never skip it silently.
        for resource in entry.unfixable {
            Terminal.out("cannot fix     \(UntrustedText.field(resource)): it does not exist")
        }
        let applied = entry.changes.filter { $0.outcome == .applied }
        let pending = applied.filter(\.pending).count
        // Every write made, but some resources do not exist: say what the partial outcome (exit 1) is about.
        let cannotFix = entry.outcome == .partial && applied.count == entry.changes.count && !entry.unfixable.isEmpty
            ? ": every write was made; \(entry.unfixable.count) resource\(entry.unfixable.count == 1 ? "" : "s") "
                + "cannot be fixed (\(entry.unfixable.count == 1 ? "it does" : "they do") not exist; ballast does not "
                + "create resources)" : ""
        Terminal.out("Apply: \(applied.count) of \(entry.changes.count) changes applied, "
            + "\(applied.filter(\.verified).count) verified by reading them back"
            + (pending > 0 ? ", \(pending) pending (run `ballast drift` later to see them land)" : "")
            + "; outcome \(entry.outcome.rawValue)\(cannotFix).")
    }
}
