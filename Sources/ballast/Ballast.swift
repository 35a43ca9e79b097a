import ArgumentParser
import BallastAWS
import BallastCore
import BallastEngine
import BallastKinds
import BallastRender
import FoundationEssentials
import Glibc

/// Every kind this build knows: built once, when the program starts, and handed to the engine.
let builtInKinds = Kinds.builtIn

@main
struct Ballast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ballast",
        abstract: "Keep AWS operational settings in git: validate, detect drift, plan, apply, roll back.",
        discussion: """
            Desired state lives in desired-state/<environment>/*.yaml and is read from a git \
            revision (default HEAD) through libgit2, without a checkout. Policies live in policies/.

            EXAMPLES:
              ballast validate                       check HEAD's state and policies
              ballast validate --revision HEAD~3     check an older revision's files
              ballast validate --worktree            check uncommitted edits
              ballast drift --env prod               compare live settings with HEAD
              ballast plan --env prod --out p.json   the writes that fix it, saved
              ballast apply p.json                   apply it (refused if live moved)
              ballast rollback --to HEAD~1 --env prod
              ballast revert 3f2c9a1 --env prod --apply
              ballast history --env prod             the apply journal, newest first
              ballast policy test                    run the policy files' tests
              ballast doctor --env prod              show identity, repo and revision
              ballast iam-policy --for apply         the least-privilege IAM policy
              ballast comment plan.md                post or update the pull request's comment
              ballast watch --interval 15m           drift on a loop, /metrics for Prometheus
              ballast import --env prod --from-terraform terraform.tfstate
              ballast schema fetch AWS::Kinesis::Stream  any other type, through Cloud Control
              ballast hold --env prod --type T --id I --for 4h --reason "INC-1"   keep a hand change for now
              ballast adopt --env prod --commit      write live values into the YAML, as a commit
            """,
        version: BuildInfo.versionText,
        subcommands: [
            ValidateCommand.self, DriftCommand.self, PlanCommand.self, ApplyCommand.self, RollbackCommand.self,
            RevertCommand.self, HistoryCommand.self, UnlockCommand.self, PolicyCommand.self, DoctorCommand.self,
            IAMPolicyCommand.self, CommentCommand.self, WatchCommand.self, ImportCommand.self,
            ReportCommand.self, SchemaCommand.self, HoldCommand.self, AdoptCommand.self, EventsCommand.self,
        ])

    /// Settings from the environment that every command depends on are checked before any runs.
    static func main() async {
        // Every secret is known to the scrubber before anything can print it: a parse error
        // echoes its argument, and an endpoint's error may echo a header.
        Secrets.register(environment: ProcessInfo.processInfo.environment)
        for url in secretArguments(CommandLine.arguments) { Secrets.registerSecretURL(url) }
        do {
            _ = try RequestRates.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            Terminal.error("\(error)")
            Glibc.exit(1)
        }
        let mistakes = numberMistakes(ProcessInfo.processInfo.environment)
        if !mistakes.isEmpty {
            for mistake in mistakes { Terminal.error(mistake) }
            Glibc.exit(1)
        }
        if let unknown = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            Terminal.error(unknown)
            Glibc.exit(1)
        }
        do {
            var command = try parseAsRoot(nil)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A usage mistake (a flag's value out of range, say) is an error like any other: exit 1,
            // as the contract's exit codes say, not the argument parser's 64.
            if exitCode(for: error).rawValue == 64 {
                Terminal.emit(fullMessage(for: error) + "\n", to: .error)
                Glibc.exit(1)
            }
            exit(withError: error)
        }
    }

    /// The first word when it is no command (`ballast drfit`): the nearest command's name, and the list.
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), first != "help" else { return nil }
        let names = configuration.subcommands.map { $0.configuration.commandName ?? "" }.filter { !$0.isEmpty }
        guard !names.contains(first) else { return nil }
        return "unknown command '\(UntrustedText.line(first))'" + Suggestion.hint(for: first, in: names)
            + "; commands: " + names.joined(separator: ", ")
    }

    /// The values of options that are secrets themselves (`--notify URL`, `--notify=URL`).
    static func secretArguments(_ arguments: [String]) -> [String] {
        var found: [String] = []
        for (index, argument) in arguments.enumerated() {
            if argument == "--notify", index + 1 < arguments.count { found.append(arguments[index + 1]) }
            if argument.hasPrefix("--notify=") { found.append(String(argument.dropFirst("--notify=".count))) }
        }
        return found
    }

    /// Numbers from the environment, each checked against the range it may take before anything
    /// runs (an absurd one would retry forever or overflow a clock).
    static func numberMistakes(_ environment: [String: String]) -> [String] {
        let ranges: [(name: String, range: ClosedRange<Double>, whole: Bool, what: String)] = [
            ("AWS_MAX_ATTEMPTS", 1...20, true, "attempts per request"),
            ("BALLAST_CREDENTIAL_PROCESS_TIMEOUT", 1...3600, false, "seconds"),
        ]
        return ranges.compactMap { entry in
            guard let text = environment[entry.name], !text.isEmpty else { return nil }
            if let number = Double(text), entry.range.contains(number), !entry.whole || number == number.rounded() {
                return nil
            }
            return "\(entry.name) takes \(entry.whole ? "a whole number" : "a number") of \(entry.what) from "
                + "\(Int(entry.range.lowerBound)) to \(Int(entry.range.upperBound)), not '\(text)'"
        }
    }
}
