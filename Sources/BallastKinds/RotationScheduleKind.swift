import BallastCore
import FoundationEssentials

/// Secrets Manager rotation, identified by the secret's name or ARN. ballast
/// reads rotation settings only, never the secret's value.
public struct RotationScheduleKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, rotation: rotation, plannedReads: plannedReads, changes: changes(for:))

    /// Whether the rotation happened, from what DescribeSecret already says: `LastRotatedDate` against the
    /// rules' period (or AWS's `NextRotationDate` for a schedule expression), and a version labelled
    /// `AWSPENDING` without `AWSCURRENT`: "the operation assumes that a previous rotation request is still in
    /// progress", and an unsuccessful one leaves it so (Secrets Manager API Reference, RotateSecret). Never
    /// rotated with rotation on is overdue.
    static func rotation(_ live: [String: Value], grace: TimeInterval, now: Date) -> Rotation? {
        guard case .map(let rules)? = live["RotationRules"] else { return nil }
        let last = live[Fact.lastRotated]?.number.map(Date.init(timeIntervalSince1970:))
        var due = live[Fact.nextRotation]?.number.map(Date.init(timeIntervalSince1970:))
        if let last, let days = rules["AutomaticallyAfterDays"]?.number {
            due = last.addingTimeInterval(days * 86_400)
        }
        let pending = live[Fact.pending]?.string
        return Rotation(last: last, due: due, grace: grace, now: now, lastError: pending.map {
            "version \($0) is still AWSPENDING alone: a rotation started and has not finished (running, or failed)"
        })
    }

    /// What DescribeSecret says that no one declares: read for `rotation`, never compared.
    enum Fact {
        static let lastRotated = "LastRotatedDate", nextRotation = "NextRotationDate", pending = "PendingVersion"
    }

    /// What else changes what it owns: rotation cancelled, or the secret deleted. Watched for (`watch --events`),
    /// never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.secretsManager, "CancelRotateSecret"),
        APIOperation(.secretsManager, "DeleteSecret"),
    ]

    static let describeSecret = APIOperation(.secretsManager, "DescribeSecret")
    static let rotateSecret = APIOperation(.secretsManager, "RotateSecret")

    /// `aws_secretsmanager_secret_rotation`: the rules are a one-element block.
    static let terraform = TerraformMapping("aws_secretsmanager_secret_rotation", idAttribute: "secret_id", [
        .init("/RotationLambdaARN", "rotation_lambda_arn", convert: TerraformValue.unless("")),
        .init("/RotationRules/AutomaticallyAfterDays", "rotation_rules.0.automatically_after_days",
              convert: TerraformValue.unless(0)),
        .init("/RotationRules/ScheduleExpression", "rotation_rules.0.schedule_expression",
              convert: TerraformValue.unless("")),
        .init("/RotationRules/Duration", "rotation_rules.0.duration", convert: TerraformValue.unless("")),
    ])

    static let properties = ResourceSchema(
        type: "AWS::SecretsManager::RotationSchedule",
        properties: ObjectSchema([
            (
                "RotationLambdaARN",
                .string(StringFormat("a Lambda function ARN") { $0.hasPrefix("arn:") && $0.contains(":lambda:") })
            ),
            (
                "RotationRules",
                .object(
                    ObjectSchema([
                        ("AutomaticallyAfterDays", .integer(1...1000)),
                        ("ScheduleExpression", .string(Schedule.format)),
                        (
                            "Duration",
                            .string(
                                StringFormat("hours like 2h, 1 to 24") { d in
                                    d.hasSuffix("h") && Int(d.dropLast()).map { (1...24).contains($0) } == true
                                })
                        ),
                    ]))
            ),
        ]),
        checks: { r in Check.exclusive(r, "/RotationRules/AutomaticallyAfterDays", "/RotationRules/ScheduleExpression")
        })

    static let permissions = KindPermissions(
        read: [describeSecret],
        write: [rotateSecret]) { id, region, account in
        ARN(id) != nil ? id : "arn:aws:secretsmanager:\(region):\(account):secret:\(id)-??????"
    }

    /// DescribeSecret, one secret at a time: rotation settings only. ballast
    /// never calls GetSecretValue.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["ResourceNotFoundException"]) { target in
            let secret = try await client.json(describeSecret, .map(["SecretId": .string(target.id)]))
            // A secret scheduled for deletion is gone as far as rotation goes.
            if secret["DeletedDate"] != nil { return .missing }
            var live: [String: Value] = [:]
            if let lambda = secret["RotationLambdaARN"]?.string, !lambda.isEmpty {
                live["RotationLambdaARN"] = .string(lambda)
            }
            // Rotation turned off keeps its old rules on record; off means no rules.
            if secret["RotationEnabled"]?.bool == true, case .map(let rules)? = secret["RotationRules"] {
                live["RotationRules"] = .map(rules)
            }
            for fact in [Fact.lastRotated, Fact.nextRotation] {
                if let date = secret[fact]?.number, date.isFinite { live[fact] = .double(date) }
            }
            // A version labelled AWSPENDING and not AWSCURRENT: a rotation that did not finish.
            if case .map(let versions)? = secret["VersionIdsToStages"] {
                let pending = versions.filter { _, stages in
                    let labels = stages.list?.compactMap(\.string) ?? []
                    return labels.contains("AWSPENDING") && !labels.contains("AWSCURRENT")
                }.keys.sorted().first
                if let pending { live[Fact.pending] = .string(String(pending.prefix(64))) }
            }
            return .found(live)
        }
    }

    /// RotateSecret sets the function and the whole rule set; it is told not to
    /// rotate now, only to keep the schedule.
    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [describeSecret: targets.count]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.change(drift, rotateSecret) { set in
            for path in [
                "/RotationLambdaARN", "/RotationRules/AutomaticallyAfterDays", "/RotationRules/ScheduleExpression",
                "/RotationRules/Duration",
            ] where drift.resource.expectation(at: path) != nil {
                ChangeBuilder.keep(path, from: drift.live, in: &set)
            }
        }.map { [$0] } ?? []
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [rotateSecret: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        var rules: [String: Value] = [:]
        for key in ["AutomaticallyAfterDays", "ScheduleExpression", "Duration"] {
            rules[key] = change.to("/RotationRules/" + key)
        }
        var input: [String: Value] = [
            "SecretId": .string(change.id), "RotateImmediately": false, "RotationRules": .map(rules),
        ]
        input["RotationLambdaARN"] = change.to("/RotationLambdaARN")
        // The model's idempotency token: every retry of this call sends the same one, so a
        // repeat after a lost answer is one rotation setting, not two.
        input["ClientRequestToken"] = .string(UUID().uuidString.lowercased())
        _ = try await client.json(rotateSecret, .map(input))
    }
}

/// `rate(...)` and `cron(...)` schedule expressions (EventBridge and Secrets Manager).
enum Schedule {
    static let format = StringFormat("rate(N unit) or cron(six fields)") { s in
        if s.hasPrefix("rate("), s.hasSuffix(")") {
            let parts = s.dropFirst(5).dropLast().split(separator: " ")
            let units = ["minute", "minutes", "hour", "hours", "day", "days"]
            return parts.count == 2 && Int(parts[0]).map { $0 > 0 } == true && units.contains(String(parts[1]))
        }
        if s.hasPrefix("cron("), s.hasSuffix(")") {
            return s.dropFirst(5).dropLast().split(separator: " ").count == 6
        }
        return false
    }
}
