import ArgumentParser
import BallastCore
import BallastEngine

struct IAMPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iam-policy",
        abstract: "Print the least-privilege IAM policy for a command on this desired state.",
        discussion: """
            Only the actions ballast's reads (and, for apply, writes) call for the kinds in use, each \
            scoped to the resources' ARNs where AWS allows it (log groups, tables, alarms, functions, \
            keys, secrets, buckets, the lock table), `*` only for actions that take no narrower \
            resource, with a Sid per kind. An environment without `account` gets `*` as the account \
            in its ARNs; a resource named by a CloudFormation ref gets `*` as its name.

            A Cloud Control type's registry schema (schemas/) names the permissions its handlers need. \
            They are repository text: standard error says which actions came from which schema, and \
            wildcards and actions that escalate privilege (IAM, STS, Organizations, a KMS key's policy \
            and grants, secret values) are left out unless the environment lists them under \
            `schemaPermissions` in its environment.yaml.

            --for names the command: drift and plan read; apply, rollback and revert write (and take \
            the lock table's lock and journal); watch reads, or writes with --self-heal; history reads \
            the journal from the lock tables (--from-lock-table); hold reads and keeps holds there. \
            Every action is one of ballast's declared operations: the kinds' and ballast's own.

            EXAMPLES:
              ballast iam-policy --for drift > ballast-drift.json
              ballast iam-policy --for watch --self-heal
              ballast iam-policy --for apply --env prod
              ballast iam-policy --for drift --explain
            """)

    @Option(name: .customLong("for"), help: ArgumentHelp(
        "drift, plan, apply, rollback, revert, watch, history or hold.", valueName: "command"))
    var purpose: IAMPolicy.Purpose = .drift

    @Flag(name: .long, help: "With --for watch: the writes of watch --self-heal too.")
    var selfHeal = false

    @Option(name: .long, help: ArgumentHelp("With --for watch: receiving and removing messages of this queue, "
        + "for watch --events.", valueName: "queue-url"))
    var events: String?

    @Flag(name: .long, help: "Add cloudwatch:PutMetricData (namespace Ballast only), for drift --publish-metrics.")
    var publishMetrics = false

    @Flag(name: .long, help: ArgumentHelp("Add reading and writing the lock tables' drift-notify item, for "
        + "drift --notify and watch --notify."))
    var notify = false

    @Flag(name: .long, help: ArgumentHelp("Add cloudtrail:LookupEvents (and the scaling activities of Auto "
        + "Scaling groups), for drift --explain."))
    var explain = false

    @OptionGroup var source: RepositoryOptions

    func validate() throws {
        if selfHeal, purpose != .watch { throw ValidationError("--self-heal goes with --for watch") }
        if events != nil, purpose != .watch { throw ValidationError("--events goes with --for watch") }
        if let events, EventQueue.parse(events) == nil {
            throw ValidationError("--events takes an SQS queue URL like "
                + "https://sqs.us-east-1.amazonaws.com/123456789012/ballast-events")
        }
    }

    func run() throws {
        let loaded = try Planning.load(source)
        let queue = events.flatMap(EventQueue.parse)?.arn
        let (document, fromSchemas) = IAMPolicy.policy(
            for: loaded.state, schemas: loaded.schemas, purpose: purpose,
            publishMetrics: publishMetrics, notify: notify, explain: explain,
            selfHeal: selfHeal, eventsQueue: queue)
        Terminal.write(JSON.encode(document, pretty: true) + "\n")
        for (type, judgement) in fromSchemas {
            let file = RegistrySchema.path(for: type)
            if !judgement.granted.isEmpty {
                Terminal.note("\(file) (\(type)) asks for, granted: "
                    + judgement.granted.map(UntrustedText.line).joined(separator: ", "))
            }
            for (action, reason) in judgement.refused {
                Terminal.warning("\(file) (\(type)) asks for \(UntrustedText.line(action)): not granted, \(reason); "
                    + "list it under schemaPermissions in the environment.yaml to grant it")
            }
        }
    }
}

extension IAMPolicy.Purpose: ExpressibleByArgument {}
