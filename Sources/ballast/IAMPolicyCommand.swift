import ArgumentParser
import BallastCore
import BallastEngine

struct IAMPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iam-policy",
        abstract: "Print the least-privilege IAM policy for drift or apply on this desired state.",
        discussion: """
            Only the actions ballast's reads (and, for apply, writes) call for the kinds in use, each \
            scoped to the resources' ARNs where AWS allows it (log groups, tables, alarms, functions, \
            keys, secrets, buckets, the lock table), `*` only for actions that take no narrower \
            resource, with a Sid per kind. An environment without `account` gets `*` as the account \
            in its ARNs; a resource named by a CloudFormation ref gets `*` as its name.

            EXAMPLES:
              ballast iam-policy --for drift > ballast-drift.json
              ballast iam-policy --for apply --env prod
              ballast iam-policy --for drift --explain
            """)

    @Option(name: .customLong("for"), help: ArgumentHelp("drift or apply.", valueName: "command"))
    var purpose: IAMPolicy.Purpose = .drift

    @Flag(name: .long, help: "Add cloudwatch:PutMetricData (namespace Ballast only), for drift --publish-metrics.")
    var publishMetrics = false

    @Flag(name: .long, help: "Add reading and writing the lock tables' drift-notify item, for drift --notify.")
    var notify = false

    @Flag(name: .long, help: ArgumentHelp("Add cloudtrail:LookupEvents (and the scaling activities of Auto "
        + "Scaling groups), for drift --explain."))
    var explain = false

    @OptionGroup var source: RepositoryOptions

    func run() throws {
        let loaded = try Planning.load(source)
        let document = IAMPolicy.document(for: loaded.state, schemas: loaded.schemas, purpose: purpose,
                                          publishMetrics: publishMetrics, notify: notify, explain: explain)
        Terminal.write(JSON.encode(document, pretty: true) + "\n")
    }
}

extension IAMPolicy.Purpose: ExpressibleByArgument {}
