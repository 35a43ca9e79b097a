import ArgumentParser
import BallastCore
import BallastEngine

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "What `watch --events` listens to: CloudTrail's calls through EventBridge to an SQS queue.",
        subcommands: [EventsTemplateCommand.self])
}

struct EventsTemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Print the CloudFormation template that delivers the calls changing what ballast owns to a queue.",
        discussion: """
            Every write AWS accepts is a CloudTrail management event, and EventBridge delivers those \
            ("AWS API Call via CloudTrail") to a rule's target within seconds. The template makes, on \
            the default event bus, rules matching exactly the event sources and names of the calls \
            that change what the environments' kinds own (each kind's writes and the other calls it \
            declares, such as SetDesiredCapacity or DeleteLogGroup: never a hand list), and an SQS \
            queue they send to: encrypted at rest, with a dead-letter queue, and a queue policy that \
            lets only those rules send (aws:SourceArn). Then `ballast watch --events QUEUE_URL` \
            re-reads only what an event names.

            The queue is in the environments' region. A resource in another region (or a global \
            service's, such as Budgets, whose events AWS delivers in us-east-1) needs that region's \
            rules too: standard error names each region, and --region prints its template, whose rules \
            forward to the queue's region's default bus. Types read through Cloud Control change \
            through their own services' calls, which no kind declares: the periodic pass finds them.

            EXAMPLES:
              ballast events template --env prod > ballast-events.yaml
              aws cloudformation deploy --stack-name ballast-events --template-file ballast-events.yaml
              ballast events template --env prod --region us-east-1 > ballast-events-us-east-1.yaml
            """)

    @OptionGroup var source: RepositoryOptions

    @Option(name: .long, help: ArgumentHelp("The queue's name (its dead-letter queue's adds -dead-letter).",
                                            valueName: "name"))
    var queueName = "ballast-events"

    @Option(name: .long, help: ArgumentHelp("Print this region's forwarding rules instead of the queue's "
        + "template (default: the environments' region).", valueName: "name"))
    var region: String?

    func validate() throws {
        // An SQS queue name: 1 to 80 letters, digits, hyphens and underscores (the Amazon SQS API
        // Reference, CreateQueue's QueueName); the dead-letter queue's adds 12 characters.
        let allowed = queueName.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard allowed, (1...68).contains(queueName.count) else {
            throw ValidationError("--queue-name takes 1 to 68 letters, digits, hyphens and underscores "
                + "(an SQS queue name, with room for -dead-letter), not '\(UntrustedText.line(queueName))'")
        }
        if let region, !RegionName.isValid(region) {
            throw ValidationError("--region takes an AWS region name like us-east-1, "
                + "not '\(UntrustedText.line(region))'")
        }
    }

    func run() throws {
        let loaded = try Planning.load(source)
        let homes = Set(loaded.state.environments.map(\.region))
        guard let home = homes.sorted().first else {
            Terminal.error("no environment to listen for")
            throw Failure.error
        }
        guard homes.count == 1 else {
            Terminal.error("the environments are in \(homes.sorted().joined(separator: ", ")): one queue serves "
                + "environments of one region; give --env for each region's")
            throw Failure.error
        }
        let rules = EventRules(loaded.state)
        guard !rules.calls.isEmpty else {
            Terminal.error("no declared resource has a kind whose calls CloudTrail names "
                + "(types read through Cloud Control are found by the periodic pass)")
            throw Failure.error
        }
        let region = self.region ?? home
        Terminal.write(EventTemplate.yaml(rules, environments: loaded.state.environments.map(\.name),
                                          queueName: queueName, region: region, home: home))
        let others = rules.regions.filter { $0 != home }
        if self.region == nil, !others.isEmpty {
            Terminal.note("calls are also made in \(others.joined(separator: ", ")): deploy each one's forwarding "
                + "rules too (ballast events template --region NAME)")
        }
        if !rules.uncovered.isEmpty {
            Terminal.note("no rule covers \(rules.uncovered.map(UntrustedText.line).joined(separator: ", ")) "
                + "(read through Cloud Control): the periodic pass finds their drift")
        }
    }
}
