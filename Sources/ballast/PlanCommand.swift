import ArgumentParser
import BallastAWS
import BallastCore
import BallastEngine
import BallastRender
import FoundationEssentials
import Glibc

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the drift and the API writes that would bring live settings to the desired state.",
        discussion: """
            One entry per API write, as few as the APIs allow (MinSize, MaxSize and DesiredCapacity \
            in one UpdateAutoScalingGroup). A range moves to its nearest bound. Resources that do not \
            exist are listed as unfixable. --out saves the plan for `ballast apply FILE`, which \
            refuses it if any planned live value has moved since.

            Policies (policies/*.yaml) run on the desired state and on each planned change; a \
            failed deny policy is listed under "Denied" and blocks apply.

            Exit codes: 0 no changes, 2 changes, 3 a deny policy fails, 1 an error or anything \
            not checked.

            EXAMPLES:
              ballast plan --env prod
              ballast plan --env prod --out prod.plan.json
              ballast plan --output markdown > comment.md
              ballast plan --output sarif > ballast.sarif   # for code scanning
            """)

    @OptionGroup var source: RepositoryOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "text, json, markdown, cfn or sarif (the policy results, for code scanning).", valueName: "format"))
    var output: ReportFormat = .text

    @Option(name: .long, help: ArgumentHelp("Save the plan (versioned JSON) to this file.", valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    @OptionGroup var reportFile: ReportFileOptions

    @OptionGroup var sharding: ShardOptions

    @OptionGroup var budget: BudgetOptions

    @OptionGroup var guards: GuardOptions

    @OptionGroup var explanation: ExplainOptions

    func validate() throws {
        if out != nil, source.worktree {
            throw ValidationError("a saved plan is always of a commit: commit the working tree, then "
                + "`ballast plan --out` (without --worktree)")
        }
    }

    func run() async throws {
        let shards = sharding.selected?.count ?? 1
        let (setup, _) = budget.setup(debug: debug, shards: shards)
        let loaded = try sharding.slice(try Planning.load(source, keeping: sharding.selected))
        if budget.printedReadPlan(loaded, explainMax: explanation.explain ? explanation.most : nil,
                                  guardWindow: guards.seconds, shards: shards) { return }
        var plan = try await Planning.read(loaded, setup: setup, guardWindow: guards.seconds)
        plan.report.shard = sharding.selected
        plan.report = await explanation.explained(plan.report, loaded: loaded, setup: setup)
        Terminal.write(
            PlanRendering.render(
                plan, as: output, colour: Terminal.useColour(STDOUT_FILENO), policies: loaded.policies.policies))
        try reportFile.write(plan.json)
        if let out {
            guard let account = await Planning.account(loaded, setup: setup) else {
                Terminal.error("cannot tell which account the credentials are for (STS GetCallerIdentity); "
                    + "a plan file records it, so \(out) was not written")
                throw Failure.error
            }
            try Failure.guarding {
                try PlanFile.write(
                    plan, account: account, key: PlanFile.key(from: ProcessInfo.processInfo.environment), to: out)
            }
        }
        if plan.exitCode != 0 { throw ExitCode(plan.exitCode) }
    }
}

