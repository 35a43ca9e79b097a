import ArgumentParser
import BallastAWS
import BallastCore
import BallastEngine
import Foundation

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply a saved plan, or plan and apply.",
        discussion: """
            With FILE (from `ballast plan --out`): reads the live value of every planned property
            again and refuses, changing nothing, if any moved since the plan was made. Without FILE:
            plans, shows the plan and asks before applying; with no terminal it needs --auto-approve.

            Writes run in plan order and stop at the first failure (--continue-on-error goes on);
            the report says what was applied, what failed and what was not attempted. Every write
            sets absolute values, so running apply again after a failure converges.

            Exit codes: 0 applied (or nothing to do), 1 an error, a refusal or a failed write.

            EXAMPLES:
              ballast plan --env prod --out prod.plan.json && ballast apply prod.plan.json
              ballast apply --env prod --auto-approve
            """)

    @Argument(help: ArgumentHelp("A plan file from `ballast plan --out`.", valueName: "file"))
    var planFile: String?

    @OptionGroup var source: RepositoryOptions

    @Flag(name: .long, help: "Apply without asking.")
    var autoApprove = false

    @Flag(name: .long, help: "Go on after a failed write instead of stopping.")
    var continueOnError = false

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    func run() async throws {
        let setup = AWSSetup(debug: debug)
        let changes: [PlannedChange]
        let unfixable: [ResourceDrift]
        var options = source
        if let planFile {
            let saved = try Failure.guarding { try PlanFile.read(planFile) }
            options.revision = saved.revision.hasSuffix("+worktree") ? nil : saved.revision
            options.worktree = saved.revision.hasSuffix("+worktree")
            options.env = saved.environments
            let (_, fresh) = try await Planning.make(options, setup: setup)
            let moved = Planner.moved(saved.changes, now: fresh.report)
            guard moved.isEmpty else {
                Terminal.error("the plan is stale: live values moved since it was made; nothing was changed")
                for line in moved { Terminal.err("  \(line)") }
                throw Failure.error
            }
            changes = saved.changes
            unfixable = fresh.unfixable
        } else {
            let (_, plan) = try await Planning.make(options, setup: setup)
            Terminal.write(PlanRendering.render(plan, as: .text, colour: Terminal.useColour(STDOUT_FILENO)))
            guard plan.report.summary.notChecked == 0 else {
                Terminal.error("some resources could not be read; nothing was changed")
                throw Failure.error
            }
            changes = plan.changes
            unfixable = plan.unfixable
            if changes.isEmpty && unfixable.isEmpty { return }
            if !changes.isEmpty { try confirm(changes.count) }
        }
        let outcomes = await Applier(client: { setup.client(region: $0) }).apply(changes, continueOnError: continueOnError)
        report(outcomes)
        // A settings tool cannot create what is gone: say so, never skip it silently.
        for drift in unfixable {
            Terminal.out("cannot fix     \(drift.resource.type) \(drift.displayId): it does not exist (\(drift.resource.source))")
        }
        if outcomes.contains(where: { $0.1 != .applied }) || !unfixable.isEmpty { throw Failure.error }
    }

    func confirm(_ count: Int) throws {
        if autoApprove { return }
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

    func report(_ outcomes: [(PlannedChange, Applier.Outcome)]) {
        Terminal.out("")
        for (change, outcome) in outcomes {
            switch outcome {
            case .applied: Terminal.out("applied        \(change.call) \(change.id)")
            case .failed(let why): Terminal.out("failed         \(change.call) \(change.id): \(why)")
            case .notAttempted: Terminal.out("not attempted  \(change.call) \(change.id)")
            }
        }
        let applied = outcomes.filter { $0.1 == .applied }.count
        Terminal.out("Apply: \(applied) of \(outcomes.count) changes applied.")
    }
}
