import ArgumentParser
import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastGit
import FoundationEssentials

struct AdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Write live values into the YAML where they are declared: a hand change kept in git.",
        discussion: """
            For each drifted owned property with an exact desired value, the live value is written at \\
            the line and column where the desired one is declared; nothing else in the file changes \\
            (comments, blank lines, key order, quoting). A range whose live value is outside it is \\
            adopted only with --widen, which moves its nearest bound to the live value. Not adopted, \\
            each named: a value reached through a YAML anchor or alias shared with other places, a list \\
            or mapping value, a resource that does not exist or could not be read.

            The result is validated and policy-checked before it is kept: a mistake or a deny policy \\
            leaves every file as it was (exit 3 for a deny). --commit makes one commit listing each \\
            property with its old and new value and, where CloudTrail can tell, who made the live change \\
            (trailers). Adopting a held property ends its hold. Reads the working tree.

            EXIT STATUS: 0 adopted (or nothing to adopt), 1 something named could not be adopted, 3 a deny \\
            policy fails on the result (files restored).

            EXAMPLES:
              ballast adopt --env prod
              ballast adopt --env prod --type AWS::AutoScaling::AutoScalingGroup --id tolling-vision-workers \\
                --property DesiredCapacity --commit --message "Keep 16 workers after INC-4411"
              ballast adopt --env prod --widen
            """)

    @Option(name: .long, help: ArgumentHelp("Only this environment.", valueName: "env"))
    var env: String?

    @Option(name: .long, help: ArgumentHelp("Only resources of this type (with --id, one resource).",
                                            valueName: "type"))
    var type: String?

    @Option(name: .long, help: ArgumentHelp("Only the resource with this id as declared.", valueName: "id"))
    var id: String?

    @Option(name: .long, help: ArgumentHelp("Only this owned property (repeat for several).", valueName: "property"))
    var property: [String] = []

    @Flag(name: .long, help: "Move a range's nearest bound to a live value outside it.")
    var widen = false

    @Flag(name: .long, help: "Commit the adopted files (one commit, its message listing each property).")
    var commit = false

    @Option(name: .long, help: ArgumentHelp("With --commit: the commit's first line.", valueName: "text"))
    var message: String?

    @Option(name: .long, help: ArgumentHelp("The git repository (default: the one around the current directory).",
                                            valueName: "path"))
    var repo: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    func validate() throws {
        if message != nil, !commit { throw ValidationError("--message goes with --commit") }
        if id != nil, type == nil { throw ValidationError("--id goes with --type") }
    }

    func run() async throws {
        let loaded = try Failure.guarding {
            try RepositoryOptions.load(LoadRequest(repositoryPath: repo ?? FileManager.default.currentDirectoryPath,
                                                   worktree: true, environments: env.map { [$0] } ?? []))
        }
        try Failure.refuseMistakes(loaded)
        let setup = AWSSetup(debug: debug)
        let clients: AWSClients = { setup.client(region: $0, role: $1) }
        var detector = DriftDetector(kinds: builtInKinds, clients: clients, lockTables: setup.lockTables)
        let key = try RunContext.key()
        detector.holdKey = key
        let now = try RunContext.clock()()
        let explainer = commit ? Explainer(clients: clients) : nil
        let request = Adopter.Request(environment: env, type: type, id: id, properties: property, widen: widen)
        let result = await Adopter(detector: detector, explainer: explainer)
            .adopt(loaded, request, now: now)
        for warning in result.warnings { Terminal.note(warning) }
        for refusal in result.refused { Terminal.error("not adopted: " + refusal) }
        if !result.mistakes.isEmpty || !result.denied.isEmpty {
            for mistake in result.mistakes { Terminal.error(mistake.description) }
            if !result.denied.isEmpty {
                Terminal.write(PolicyRendering.text(result.denied))
                Terminal.error("a deny policy fails on the adopted values: every file is as it was")
                throw ExitCode(3)
            }
            Terminal.error("the adopted values are not a valid desired state: every file is as it was")
            throw Failure.error
        }
        if result.adopted.isEmpty {
            Terminal.out(
                result.refused.isEmpty ? "Nothing to adopt: no owned property has drifted." : "Nothing adopted.")
            if !result.refused.isEmpty { throw Failure.error }
            return
        }
        for adoption in result.adopted {
            Terminal.out(
                "adopted  \(adoption.location)  \(adoption.resource.type) \(UntrustedText.field(adoption.id)) "
                    + "\(PropertyPath.readable(adoption.path)): \(adoption.old) -> \(adoption.new)")
        }
        // A held property adopted into git is no longer a hand change to hold.
        let store = HoldStore(repositoryPath: loaded.repositoryRoot, environments: loaded.state.environments,
                              lockTables: setup.lockTables, key: key)
        let holds = await store.read().holds.filter { $0.active(at: now) }
        for hold in holds where result.adopted.contains(where: { adoption in
            adoption.resource == hold.resource && hold.covers(adoption.path)
        }) {
            _ = try? await store.release(hold.id, by: "ballast adopt", at: now)
            Terminal.out("ended hold \(hold.id): its change is adopted")
        }
        if commit {
            do throws(GitError) {
                let repository = try GitRepository(discoveringFrom: loaded.repositoryRoot)
                let made = try repository.commit(paths: result.files,
                                                 message: Adopter.message(result.adopted, subject: message))
                Terminal.out("committed \(made.shortSHA): \(made.summary)")
            } catch {
                Terminal.error("the files are adopted but not committed: \(error.message)")
                throw Failure.error
            }
        } else {
            Terminal.out("Adopted \(result.adopted.count) value\(result.adopted.count == 1 ? "" : "s") into "
                + result.files.joined(separator: ", ") + " (not committed; --commit commits them).")
        }
        if !result.refused.isEmpty { throw Failure.error }
    }
}
