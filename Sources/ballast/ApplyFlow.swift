import ArgumentParser
import BallastAWS
import BallastCore
import BallastEngine
import Foundation

/// The options every command that writes takes (apply, rollback, revert --apply).
struct ApplyOptions: ParsableArguments {
    @Flag(name: .long, help: "Apply without asking.")
    var autoApprove = false

    @Flag(name: .long, help: "Go on after a failed write instead of stopping.")
    var continueOnError = false

    @Option(name: .long, help: ArgumentHelp("Apply outside the environment's change windows; the reason goes into the journal.",
                                            valueName: "reason"))
    var overrideWindow: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    func validate() throws {
        if let overrideWindow, overrideWindow.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--override-window needs a reason, like --override-window \"INC-4312: queue backlog\"")
        }
    }
}

/// One apply, the same for apply, rollback and revert: lock every environment,
/// plan (or check a saved plan is still true), enforce change windows, ask,
/// write, read back, journal, unlock.
struct ApplyFlow {
    var options: ApplyOptions
    var kind: JournalEntry.Kind = .apply
    /// Rollback: the HEAD it rolls back from. Revert: the reverted commit.
    var relatedCommit: String?

    func run(_ source: RepositoryOptions, saved: SavedPlan? = nil) async throws {
        let setup = AWSSetup(debug: options.debug)
        let loaded = try Planning.load(source)
        let owner = LockOwner(actor: Actor.current(repositoryPath: loaded.repositoryRoot), revision: loaded.revision)
        let locks = loaded.state.environments.map { environment -> any ApplyLock in
            guard let table = environment.lockTable else {
                return FileLock(gitDirectory: loaded.gitDirectory, environment: environment.name, owner: owner)
            }
            return DynamoDBLock(table: table, environment: environment.name, owner: owner, client: setup.client(region: environment.region))
        }
        var held: [any ApplyLock] = []
        do {
            for lock in locks {
                try await lock.acquire()
                held.append(lock)
            }
            try await underLock(loaded, saved: saved, owner: owner, setup: setup)
        } catch {
            await release(held)
            if let error = error as? LockHeld {
                Terminal.error(error.description)
                throw Failure.error
            }
            if let error = error as? LoadError {
                Terminal.error(error.description)
                throw Failure.error
            }
            throw error
        }
        await release(held)
    }

    func release(_ locks: [any ApplyLock]) async {
        for lock in locks.reversed() {
            do { try await lock.release() } catch {
                Terminal.error("could not release the lock in \(lock.place): \(error); `ballast unlock --force` removes it")
            }
        }
    }

    func underLock(_ loaded: LoadedState, saved: SavedPlan?, owner: LockOwner, setup: AWSSetup) async throws {
        let plan = try await Planning.read(loaded, setup: setup)
        let changes: [PlannedChange]
        let checksum: String
        if let saved {
            try await refuseStale(saved, plan: plan, loaded: loaded, setup: setup)
            (changes, checksum) = (saved.changes, saved.checksum)
        } else {
            Terminal.write(PlanRendering.render(plan, as: .text, colour: Terminal.useColour(STDOUT_FILENO)))
            guard plan.report.summary.notChecked == 0 else {
                Terminal.error("some resources could not be read; nothing was changed")
                throw Failure.error
            }
            (changes, checksum) = (plan.changes, PlanFile.checksum(plan.json))
        }
        // Policies hold at apply time too, against the changes about to be written (a saved plan's included).
        let policy = saved == nil ? plan.policy : PolicyEngine(loaded.policies).check(loaded.state, changes: changes, drift: plan.report)
        if policy.contains(where: \.blocks) {
            if saved != nil { Terminal.write(PolicyRendering.text(policy)) }
            Terminal.error("a deny policy fails; nothing was changed")
            throw ExitCode(3)
        }
        if changes.isEmpty {
            // Only resources that do not exist: nothing to write or journal, but never a silent success.
            for drift in plan.unfixable { Terminal.out("cannot fix     \(drift.resource.type) \(drift.displayId): it does not exist") }
            if plan.unfixable.isEmpty { return }
            throw Failure.error
        }
        let windowOverride = try checkWindows(for: changes, in: loaded.state)
        if saved == nil { try confirm(changes.count) }

        let outcomes = await Applier(client: { setup.client(region: $0) }).apply(changes, continueOnError: options.continueOnError)
        let applied = outcomes.filter { $0.1 == .applied }.map(\.0)
        let verdicts = await Verifier(detector: Planning.detector(setup)).verify(applied, planned: plan.report, state: loaded.state)
        var unverified: [String: String] = [:]
        for (change, verdict) in zip(applied, verdicts) { if let verdict { unverified[key(change)] = verdict } }

        let entry = JournalEntry(
            kind: kind, environments: loaded.state.environments.map(\.name), revision: loaded.revision, time: Date(),
            actor: owner.actor, planChecksum: checksum,
            windowOverride: windowOverride, relatedCommit: relatedCommit,
            changes: outcomes.map { change, outcome in
                switch outcome {
                case .applied: return .init(change: change, outcome: .applied, error: unverified[key(change)], verified: unverified[key(change)] == nil)
                case .failed(let why): return .init(change: change, outcome: .failed, error: why)
                case .notAttempted: return .init(change: change, outcome: .notAttempted)
                }
            },
            unfixable: plan.unfixable.map { "\($0.resource.type) \($0.displayId)" })
        report(entry)
        let journaled = await journal(entry, loaded: loaded, setup: setup)
        if entry.outcome != .applied || !journaled { throw Failure.error }
    }

    func key(_ change: PlannedChange) -> String { "\(change.environment) \(change.type) \(change.id) \(change.call)" }

    /// A saved plan holds only while every planned live value, and the account, are what they were.
    func refuseStale(_ saved: SavedPlan, plan: Plan, loaded: LoadedState, setup: AWSSetup) async throws {
        var moved = Planner.moved(saved.changes, now: plan.report)
        if let planned = saved.account, let now = await Planning.account(loaded, setup: setup), now != planned {
            moved.insert("the credentials are for account \(now); the plan was made in account \(planned)", at: 0)
        }
        guard moved.isEmpty else {
            Terminal.error("the plan is stale: live values moved since it was made; nothing was changed")
            for line in moved { Terminal.err("  \(line)") }
            throw Failure.error
        }
    }

    /// Refuses outside a change window of any environment with changes, unless overridden; returns the override's reason.
    func checkWindows(for changes: [PlannedChange], in state: DesiredState) throws -> String? {
        let touched = Set(changes.map(\.environment))
        let refusals = state.environments.filter { touched.contains($0.name) }.compactMap { $0.windowRefusal(at: Date()) }
        guard !refusals.isEmpty else { return nil }
        guard let reason = options.overrideWindow else {
            for refusal in refusals { Terminal.error(refusal) }
            Terminal.err("Nothing was changed. For an emergency, pass --override-window \"reason\" (it is journaled).")
            throw Failure.error
        }
        for refusal in refusals { Terminal.note("\(refusal); applying anyway (--override-window: \(reason))") }
        return reason
    }

    func confirm(_ count: Int) throws {
        if options.autoApprove { return }
        guard isatty(STDIN_FILENO) == 1 else {
            Terminal.error("no terminal to ask on: pass --auto-approve, or apply a saved plan file")
            throw Failure.error
        }
        FileHandle.standardOutput.write(Data("Apply these \(count) changes? [y/N] ".utf8))
        guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
            Terminal.out("Nothing was changed.")
            throw Failure.error
        }
    }

    func report(_ entry: JournalEntry) {
        Terminal.out("")
        for item in entry.changes {
            let change = item.change
            switch item.outcome {
            case .applied where item.verified: Terminal.out("applied        \(change.call) \(change.id)")
            case .applied: Terminal.out("not verified   \(change.call) \(change.id): written, but read back \(item.error ?? "")")
            case .failed: Terminal.out("failed         \(change.call) \(change.id): \(item.error ?? "")")
            case .notAttempted: Terminal.out("not attempted  \(change.call) \(change.id)")
            }
        }
        // A settings tool cannot create what is gone: say so, never skip it silently.
        for resource in entry.unfixable { Terminal.out("cannot fix     \(resource): it does not exist") }
        let applied = entry.changes.filter { $0.outcome == .applied }
        Terminal.out("Apply: \(applied.count) of \(entry.changes.count) changes applied, "
            + "\(applied.filter(\.verified).count) verified by reading them back; outcome \(entry.outcome.rawValue).")
    }

    /// Records the entry as a git note and in each lock table; false when a copy could not be written.
    func journal(_ entry: JournalEntry, loaded: LoadedState, setup: AWSSetup) async -> Bool {
        var places: [String] = []
        var complete = true
        if let commit = loaded.commit {
            do {
                try Journal(repositoryPath: loaded.repositoryRoot).record(entry, on: commit.sha)
                places.append("a note on \(commit.shortSHA) (\(Journal.notesRef))")
            } catch {
                Terminal.error("the journal note could not be written: \(error)")
                complete = false
            }
        }
        for environment in loaded.state.environments {
            guard let table = environment.lockTable else { continue }
            do {
                try await LockTableJournal(table: table, client: setup.client(region: environment.region)).record(entry, environment: environment.name)
                places.append("lock table \(table)")
            } catch {
                Terminal.error("the journal entry could not be written to lock table \(table): \(error)")
                complete = false
            }
        }
        if !places.isEmpty { Terminal.out("Journal: recorded as \(places.joined(separator: " and ")).") }
        return complete
    }
}
