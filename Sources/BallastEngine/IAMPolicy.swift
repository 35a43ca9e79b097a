import BallastCore

/// The least-privilege IAM policy for a command on a desired state (`ballast iam-policy`):
/// the actions the kinds in use call, scoped to each resource's ARN where AWS allows it,
/// `*` only for actions that take no narrower resource; a statement (and `Sid`) per kind.
/// Every action comes from a declared `APIOperation`: the kinds' permissions, and `RunCalls`
/// for ballast's own (stacks, Terraform states, the lock table, metrics, CloudTrail).
public enum IAMPolicy {
    /// The command the policy is for. `plan` reads as `drift` does; `rollback` and `revert` write as
    /// `apply` does; `watch` reads (with `selfHeal`, writes as `apply`); `history` reads the journal
    /// from the lock tables; `hold` reads and keeps holds there.
    public enum Purpose: String, Sendable, CaseIterable {
        case drift, plan, apply, rollback, revert, watch, history, hold

        /// Whether the command writes what the kinds own.
        func writes(selfHeal: Bool) -> Bool {
            switch self {
            case .apply, .rollback, .revert: true
            case .watch: selfHeal
            case .drift, .plan, .history, .hold: false
            }
        }

        /// Whether it reads the kinds (drift, plan, apply and the like; not history or hold).
        var reads: Bool { ![.history, .hold].contains(self) }
    }

    /// `publishMetrics` adds `cloudwatch:PutMetricData`, limited to the `Ballast` namespace;
    /// `notify` (drift, watch) reading and writing the notify state's item in each lock table.
    public static func document(for state: DesiredState, schemas: KindSchemas, purpose: Purpose,
                                publishMetrics: Bool = false, notify: Bool = false, explain: Bool = false,
                                selfHeal: Bool = false) -> Value {
        policy(for: state, schemas: schemas, purpose: purpose, publishMetrics: publishMetrics, notify: notify,
               explain: explain, selfHeal: selfHeal).document
    }

    /// The policy, and what each registry schema's handlers asked for: granted, or held back and why.
    public static func policy(for state: DesiredState, schemas: KindSchemas, purpose: Purpose,
                              publishMetrics: Bool = false, notify: Bool = false, explain: Bool = false,
                              selfHeal: Bool = false, eventsQueue: String? = nil)
        -> (document: Value, fromSchemas: [(type: String, judgement: SchemaPermissions.Judgement)]) {
        var statements: [Value] = []
        var fromSchemas: [(type: String, judgement: SchemaPermissions.Judgement)] = []
        let writes = purpose.writes(selfHeal: selfHeal)
        for kind in schemas.all where purpose.reads {
            let resources = state.environments.flatMap { environment in
                environment.resources.filter { $0.type == kind.type }.map { (environment, $0) }
            }
            guard !resources.isEmpty else { continue }
            let permissions = kind.permissions
            let actions = permissions.read + (writes ? permissions.write : [])
            let sid = sidName(kind.type)
            let ids = resources.map { environment, resource -> (id: String, region: String, account: String) in
                switch resource.identity {
                case .id(let physical): (physical, resource.region, environment.account ?? "*")
                case .ref, .output: (permissions.anyId, resource.region, environment.account ?? "*")
                }
            }
            let arns = Set(ids.map { permissions.arn($0.id, $0.region, $0.account) })
            let onParent = permissions.onParent?.operations ?? []
            let scoped = actions.filter { !permissions.unscoped.contains($0) && !onParent.contains($0) }
            let unscoped = actions.filter { permissions.unscoped.contains($0) }
            if !scoped.isEmpty { statements.append(statement(sid, scoped.map(\.iamAction), arns.sorted())) }
            if let parent = permissions.onParent {
                let parentActions = actions.filter(parent.operations.contains)
                let parents = Set(ids.map { parent.arn($0.id, $0.region, $0.account) })
                if !parentActions.isEmpty {
                    statements.append(statement(sid + "Parent", parentActions.map(\.iamAction), parents.sorted()))
                }
            }
            if !unscoped.isEmpty { statements.append(statement(sid + "List", unscoped.map(\.iamAction), ["*"])) }
            // A Cloud Control type's handlers act with the caller's credentials: their permissions, from the
            // repository's registry schema, so untrusted: each checked to be an IAM action, and wildcards and
            // escalating actions granted only where an environment declaring the type lists them.
            let handlers = permissions.handlers.read + (writes ? permissions.handlers.write : [])
            let allowed = Set(resources.flatMap { environment, _ in environment.schemaPermissions })
            let judgement = SchemaPermissions.judge(handlers.filter(SchemaPermissions.isAction), allowed: allowed)
            if !judgement.granted.isEmpty { statements.append(statement(sid + "Handlers", judgement.granted, ["*"])) }
            if !handlers.isEmpty { fromSchemas.append((kind.type, judgement)) }
        }
        // Stacks refs point into, and those environments name for ownership: their resources, ARN and template.
        let stacks = Set(state.environments.flatMap { environment in
            (environment.resources.compactMap { resource in resource.identity.stack.map { (resource.region, $0) } }
                + environment.cloudFormationStacks.map { (environment.region, $0) }).map { region, stack in
                "arn:aws:cloudformation:\(region):\(environment.account ?? "*"):stack/\(stack)/*"
            }
        })
        if purpose.reads, !stacks.isEmpty {
            statements.append(statement("CloudFormationStacks", RunCalls.stacks.map(\.iamAction), stacks.sorted()))
        }
        let states = Set(state.environments.flatMap(\.terraformStates).filter { $0.hasPrefix("s3://") }
            .map { "arn:aws:s3:::" + $0.dropFirst(5) })
        if purpose.reads, !states.isEmpty {
            statements.append(statement("TerraformStates", RunCalls.terraformStates.map(\.iamAction), states.sorted()))
        }
        let tables = Set(state.environments.compactMap { environment in
            environment.lockTable.map {
                "arn:aws:dynamodb:\(environment.region):\(environment.account ?? "*"):table/\($0)"
            }
        })
        if purpose == .drift || purpose == .watch, notify, !tables.isEmpty {
            statements.append(statement("DriftNotifyState", RunCalls.notifyState.map(\.iamAction), tables.sorted()))
        }
        if !tables.isEmpty {
            let (sid, calls): (String, [APIOperation])
            switch purpose {
            case _ where writes: (sid, calls) = ("LockTable", RunCalls.applying)
            case .history: (sid, calls) = ("Journal", RunCalls.history)
            case .hold: (sid, calls) = ("Holds", RunCalls.holding)
            // Every run reads the environment's holds where its journal is kept (`ballast hold`).
            default: (sid, calls) = ("Holds", RunCalls.holds)
            }
            statements.append(statement(sid, calls.map(\.iamAction), tables.sorted()))
        }
        // `watch --events`: the queue's long poll and the removal of what was handled, on that queue alone.
        if purpose == .watch, let eventsQueue {
            statements.append(statement("EventsQueue", RunCalls.events.map(\.iamAction), [eventsQueue]))
        }
        // A plan, and each write (a self-healing watch's too), reads the load of each capacity it lowers
        // (`LoadGuards`); GetMetricData takes no narrower
        // resource than `*` (the Service Authorization Reference lists no resource type for it).
        let guarded = state.environments.flatMap(\.resources).contains { !($0.kind?.schema.guards ?? []).isEmpty }
        if purpose == .plan || writes, guarded {
            statements.append(statement("LoadGuards", [LoadGuards.getMetricData.iamAction], ["*"]))
            // What only a call can say of a capacity (a REST API's name, a group's members, node types' memory):
            // that call, on what it reads.
            var lookups: [String: Set<String>] = [:]
            for environment in state.environments {
                for resource in environment.resources {
                    for lookup in (resource.kind?.schema.guards ?? []).flatMap(\.lookups) {
                        let id: String
                        switch resource.identity {
                        case .id(let physical): id = physical
                        case .ref, .output: id = resource.kind?.schema.permissions.anyId ?? "*"
                        }
                        lookups[lookup.operation.iamAction, default: []]
                            .insert(lookup.arn(id, resource.region, environment.account ?? "*"))
                    }
                }
            }
            for (n, (action, arns)) in lookups.sorted(by: { $0.key < $1.key }).enumerated() {
                statements.append(statement("LoadGuardLookups" + (n == 0 ? "" : "\(n + 1)"), [action], arns.sorted()))
            }
        }
        if explain, purpose.reads {
            // LookupEvents and DescribeScalingActivities take no narrower resource than `*`.
            let types = Set(state.environments.flatMap(\.resources).map(\.type))
            let actions = Explainer.operations.filter { operation in
                switch operation.service {
                case .autoScaling: types.contains("AWS::AutoScaling::AutoScalingGroup")
                case .applicationAutoScaling: !types.isDisjoint(with: ["AWS::ECS::Service", "AWS::DynamoDB::Table"])
                default: true
                }
            }.map(\.iamAction)
            statements.append(statement("ExplainDrift", actions, ["*"]))
        }
        if publishMetrics {
            guard case .map(var metrics) = statement("PublishMetrics", RunCalls.metrics.map(\.iamAction), ["*"]) else {
                return (.null, fromSchemas)
            }
            metrics["Condition"] = ["StringEquals": ["cloudwatch:namespace": .string(DriftMetrics.namespace)]]
            statements.append(.map(metrics))
        }
        return (["Version": "2012-10-17", "Statement": .list(statements)], fromSchemas)
    }

    static func statement(_ sid: String, _ actions: [String], _ resources: [String]) -> Value {
        ["Sid": .string(sid), "Effect": "Allow", "Action": .list(actions.map(Value.string)),
         "Resource": .list(resources.map(Value.string))]
    }

    /// `AWS::Logs::LogGroup` -> `LogsLogGroup` (a Sid is letters and digits).
    static func sidName(_ type: String) -> String {
        type.split(separator: ":").dropFirst().joined().filter { $0.isLetter || $0.isNumber }
    }
}
