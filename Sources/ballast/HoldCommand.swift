import ArgumentParser
import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import FoundationEssentials

struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Keep a hand change while an incident lasts: drift shows it held, nothing writes it back.",
        discussion: """
            A hold names one declared resource and, with --property, the owned properties it keeps \
            (none named: every owned property). Until it ends (--for, at most 168h, or --release), \
            drift shows the held difference as held (who, until, reason) and a run whose only \
            differences are held exits 0; plan lists it under "Held" and never as a change; apply, a \
            saved plan and watch --self-heal never write it. When it ends the next report names it \
            once and the drift is reported as before. Keep the change for good with `ballast adopt`.

            A hold is kept where the environment keeps its journal: its lock table when it has one, \
            else a git note under refs/notes/ballast-holds (push it to share). It records the AWS \
            caller's ARN (STS GetCallerIdentity) and git's user. With BALLAST_PLAN_KEY set a hold \
            carries a MAC, and one that is edited or unsigned is ignored with a warning.

            EXAMPLES:
              ballast hold --env prod --type AWS::AutoScaling::AutoScalingGroup --id tolling-vision-workers \\
                --property DesiredCapacity --for 4h --reason "INC-4411: peak traffic"
              ballast hold --list
              ballast hold --release h-3f2a9c1e4b5d
            """)

    @Option(name: .long, help: ArgumentHelp("The environment (with --list: only its holds).", valueName: "env"))
    var env: String?

    @Option(name: .long, help: ArgumentHelp("The resource's CloudFormation type.", valueName: "type"))
    var type: String?

    @Option(name: .long, help: ArgumentHelp("The resource's id as declared.", valueName: "id"))
    var id: String?

    @Option(name: .long, help: ArgumentHelp("The resource's region, when its id is declared in several.",
                                            valueName: "region"))
    var region: String?

    @Option(name: .long, help: ArgumentHelp("An owned property to hold (repeat for several; none: every owned "
        + "property).", valueName: "property"))
    var property: [String] = []

    @Option(name: .customLong("for"), help: ArgumentHelp("How long it holds: 30m, 4h, at most 168h.",
                                                          valueName: "duration"))
    var duration: String?

    @Option(name: .long, help: ArgumentHelp("Why (1 to 500 characters): the incident, the ticket.", valueName: "text"))
    var reason: String?

    @Flag(name: .long, help: "List the holds, lasting and ended.")
    var list = false

    @Option(name: .long, help: ArgumentHelp("End a hold now.", valueName: "hold-id"))
    var release: String?

    @Option(name: .long, help: ArgumentHelp("With --list: text or json.", valueName: "format"))
    var output: String = "text"

    @Option(name: .long, help: ArgumentHelp("The git repository (default: the one around the current directory).",
                                            valueName: "path"))
    var repo: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    func validate() throws {
        let modes = [list, release != nil, type != nil || id != nil].filter { $0 }.count
        guard modes == 1 else {
            throw ValidationError("give one of: --env E --type T --id I --for D --reason R (make a hold), --list, "
                + "or --release HOLD_ID")
        }
        guard ["text", "json"].contains(output) else { throw ValidationError("--output takes text or json") }
        if type != nil || id != nil {
            guard env != nil, type != nil, id != nil, let duration, let reason else {
                throw ValidationError("a hold needs --env, --type, --id, --for and --reason")
            }
            guard let seconds = ApplyOptions.seconds(duration), seconds > 0, seconds <= Hold.longest else {
                throw ValidationError("--for takes a duration from 1s to 168h (30m, 4h), not '\(duration)'")
            }
            guard Hold.reasonLength.contains(reason.count) else {
                throw ValidationError("--reason takes 1 to 500 characters, not \(reason.count)")
            }
        }
    }

    func run() async throws {
        let loaded = try Failure.guarding {
            try RepositoryOptions.head(repo: repo, environments: env.map { [$0] } ?? [])
        }
        let setup = AWSSetup(debug: debug)
        let now = try RunContext.clock()()
        let store = HoldStore(repositoryPath: loaded.repositoryRoot, environments: loaded.state.environments,
                              lockTables: setup.lockTables, key: try RunContext.key())
        if list { return try await listHolds(store, now: now) }
        if let release {
            guard let ended = try await Failure.guarding({ try await store.release(release, by: try await who(setup,
                loaded: loaded), at: now) }) else {
                Terminal.error("no hold \(UntrustedText.line(release)); `ballast hold --list` lists them")
                throw Failure.error
            }
            Terminal.out("Released \(ended.id) on \(ended.resource.type) \(UntrustedText.line(ended.resource.id)) "
                + "(\(ended.resource.environment)): the next run reports its drift again.")
            return
        }
        guard let env, let type, let id, let duration, let reason, let seconds = ApplyOptions.seconds(duration) else {
            return
        }
        let (resource, paths) = try Failure.guarding {
            try Holding.target(in: loaded, environment: env, type: type, id: id, region: region, properties: property)
        }
        let hold = Hold(resource: resource.key,
                        properties: paths, by: try await who(setup, loaded: loaded),
                        gitUser: Actor.current(repositoryPath: loaded.repositoryRoot, environment: [:]),
                        createdAt: now, until: now.addingTimeInterval(seconds),
                        reason: Secrets.scrub(reason))
        try await Failure.guarding { try await store.add(hold) }
        let what = paths.isEmpty ? "every owned property" : paths.map(PropertyPath.readable).joined(separator: ", ")
        Terminal.out("Held \(what) of \(type) \(UntrustedText.line(hold.resource.id)) (\(env)) until "
            + "\(Timestamp.iso8601(hold.until)): \(hold.id)")
    }

    /// The AWS caller's ARN: who made the hold.
    func who(_ setup: AWSSetup, loaded: LoadedState) async throws -> String {
        let environment = loaded.state.environments.first { $0.name == (env ?? "") } ?? loaded.state.environments.first
        let client = setup.client(region: environment?.region ?? "us-east-1", role: environment?.assumeRole)
        do {
            return try await client.callerIdentity().arn
        } catch {
            Terminal.error("cannot tell who makes the hold (STS GetCallerIdentity): \(error)")
            throw Failure.error
        }
    }

    func listHolds(_ store: HoldStore, now: Date) async throws {
        let read = await store.read()
        for warning in read.warnings { Terminal.note(warning) }
        let holds = read.holds.filter { env == nil || $0.resource.environment == env }
        if output == "json" {
            Terminal.write(JSON.encode(.map(["holds": .list(holds.map { hold in
                guard case .map(var fields) = hold.json else { return .null }
                fields["active"] = .bool(hold.active(at: now))
                return .map(fields)
            })]), pretty: true) + "\n")
            return
        }
        guard !holds.isEmpty else {
            Terminal.out("No holds.")
            return
        }
        for hold in holds {
            let state =
                hold.active(at: now)
                ? "until \(Timestamp.iso8601(hold.until))"
                : hold.releasedAt.map { "released \(Timestamp.iso8601($0))" }
                    ?? "ended \(Timestamp.iso8601(hold.until))"
            let what =
                hold.properties.isEmpty
                ? "every owned property"
                : hold.properties.map(PropertyPath.readable).joined(separator: ", ")
            Terminal.out("\(hold.id)  \(hold.resource.environment)  \(hold.resource.type) "
                + "\(UntrustedText.field(hold.resource.id)) "
                + "\(what)  \(state)  by \(UntrustedText.field(hold.by)): \(UntrustedText.field(hold.reason))")
        }
    }
}
