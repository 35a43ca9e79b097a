import ArgumentParser
import BallastAWS
import BallastCore
import BallastEngine
import FoundationEssentials

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply a saved plan, or plan and apply.",
        discussion: """
            With FILE (from `ballast plan --out`): plans again at the plan's revision and refuses, \
            changing nothing, unless that commit is the tip of the branch apply runs from (HEAD, or \
            --branch; an older commit on its history with --allow-older-revision), every saved change \
            is one that plan makes, the credentials are for the account the plan records, and no \
            planned live value moved since. With BALLAST_PLAN_KEY set, the file's MAC (HMAC-SHA256) \
            must match too. Without FILE: plans, \
            shows the plan and asks before applying; with no terminal it needs --auto-approve.

            Writes run in plan order and stop at the first failure (--continue-on-error goes on); \
            the report says what was applied, what failed and what was not attempted. Every write \
            sets absolute values, so running apply again after a failure converges.

            One apply per environment at a time: a lock item in the environment's lockTable \
            (DynamoDB), else a lock file in .git. Outside the environment's changeWindows it \
            refuses unless --override-window "reason" is given. Every written resource is read \
            back; the apply is journaled (its intent before the first write, each write as it ends) \
            as a git note on the applied commit (refs/notes/ballast) and in the lock table: see \
            `ballast history`. An apply killed midway is closed as interrupted by the next one.

            Exit codes: 0 applied and verified (or nothing to do), 1 an error, a refusal, a failed \
            or unverified write, or a resource that does not exist.

            EXAMPLES:
              ballast plan --env prod --out prod.plan.json && ballast apply prod.plan.json
              ballast apply --env prod --auto-approve
            """)

    @Argument(help: ArgumentHelp("A plan file from `ballast plan --out`.", valueName: "file"))
    var planFile: String?

    @OptionGroup var source: RepositoryOptions
    @OptionGroup var options: ApplyOptions

    @Option(name: .long, help: ArgumentHelp("With FILE: the branch whose tip the plan's commit must be "
        + "(default: HEAD).", valueName: "name"))
    var branch: String?

    @Flag(name: .long, help: "With FILE: also accept a plan of an older commit on that branch's history.")
    var allowOlderRevision = false

    func validate() throws {
        if planFile == nil, branch != nil || allowOlderRevision {
            throw ValidationError("--branch and --allow-older-revision apply to a saved plan: ballast apply FILE")
        }
        if planFile != nil, source.revision != nil || source.worktree {
            throw ValidationError("a saved plan is applied at its own commit; --revision and --worktree do not apply")
        }
    }

    func run() async throws {
        guard let planFile else { return try await ApplyFlow(options: options).run(source) }
        let (saved, notes) = try Failure.guarding {
            try PlanFile.read(planFile, key: PlanFile.key(from: ProcessInfo.processInfo.environment),
                              kinds: builtInKinds)
        }
        for note in notes { Terminal.note(note) }
        let revision = try Failure.guarding {
            try SavedPlanRevision.check(saved.revision, repositoryPath: source.request.repositoryPath, branch: branch,
                                        allowOlder: allowOlderRevision)
        }
        for note in revision.notes { Terminal.note(note) }
        var planned = source
        planned.revision = revision.commit
        planned.env = saved.environments
        try await ApplyFlow(options: options).run(planned, saved: saved)
    }
}
