import BallastCore
import BallastDesiredState
import BallastGit
import FoundationEssentials

/// `drift --explain`: for each MODIFIED or DELETED resource, who changed it (CloudTrail's
/// `LookupEvents`, or the Auto Scaling group's scaling activities for a capacity an autoscaler
/// moved) and which commit set the owned line (git blame). Asked only for drifted resources,
/// at most `max` of them; what cannot be found is said, and never changes a status.
public struct Explainer: Sendable {
    /// `LookupEvents`, paced at CloudTrail's quota in the rate table.
    static let lookupEvents = APIOperation(.cloudTrail, "LookupEvents")
    static let describeScalingActivities = APIOperation(.autoScaling, "DescribeScalingActivities")
    static let describeScalableTargetActivities = APIOperation(.applicationAutoScaling, "DescribeScalingActivities")

    /// ballast's bound: a lookup reads at most this many pages of `pageSize` events.
    public static let maxPages = 4
    /// The CloudTrail API Reference, LookupEvents: "The default number of results returned is 50, with a
    /// maximum of 50 possible."
    public static let pageSize = 50
    /// The same page: "You can look up events that occurred in a Region within the last 90 days."
    public static let history: TimeInterval = 90 * 86_400
    /// The newest scaling activities read: only the newest matter. AWS allows 100 a call for EC2 Auto
    /// Scaling (`MaxRecords`) and 50 for Application Auto Scaling (`MaxResults`, botocore's models).
    static let activities = 20

    public struct Options: Sendable {
        /// How far back CloudTrail is searched (its event history keeps 90 days).
        public var since: TimeInterval
        /// Resources explained at most; the rest say so.
        public var max: Int

        public init(since: TimeInterval = Explainer.history, max: Int = 50) {
            self.since = since
            self.max = max
        }
    }

    let clients: AWSClients
    let options: Options

    public init(clients: @escaping AWSClients, options: Options = Options()) {
        self.clients = clients
        self.options = options
    }

    /// The operations one explanation may call, for `iam-policy --explain` and `--dry-run-reads`.
    public static let operations: [APIOperation] = [lookupEvents, describeScalingActivities,
                                                    describeScalableTargetActivities]

    /// The report with an attribution on each drifted resource (the first `max` of them): the live side
    /// from AWS, read at once within the pacer's limits; the desired side, the apply journal (a write of
    /// ballast's own is said with its entry) and when a notifying run first saw the drift, from the
    /// repository, read once each.
    public func explain(_ report: DriftReport, loaded: LoadedState, now: Date = Date()) async -> DriftReport {
        let roles = Dictionary(loaded.state.environments.map { ($0.name, $0.assumeRole) },
                               uniquingKeysWith: { first, _ in first })
        var explained = report
        var budget = options.max
        var work: [(environment: Int, resource: Int, client: any AWSAPI)] = []
        for (e, environment) in report.environments.enumerated() {
            for (r, drift) in environment.resources.enumerated()
            where drift.status == .modified || drift.status == .deleted {
                guard budget > 0 else {
                    explained.environments[e].resources[r].attribution = Attribution(
                        notes: ["not explained: over --explain-max \(options.max)"])
                    continue
                }
                budget -= 1
                work.append((e, r, clients(drift.resource.region, roles[environment.name] ?? nil)))
            }
        }
        let results = await withTaskGroup(of: (Int, Int, Attribution, CloudTrailEvent?).self) { group in
            for item in work {
                let drift = report.environments[item.environment].resources[item.resource]
                group.addTask {
                    let (attribution, event) = await live(drift, client: item.client, now: now)
                    return (item.environment, item.resource, attribution, event)
                }
            }
            return await group.reduce(into: [(Int, Int, Attribution, CloudTrailEvent?)]()) { $0.append($1) }
        }
        let repository = Repository(loaded)
        for (e, r, found, event) in results {
            let drift = report.environments[e].resources[r]
            var attribution = found
            attribution.driftSince = DriftNotifier.driftSince(drift, home: report.environments[e].region,
                                                              in: repository.firstSeen)
            if let event, attribution.live?.eventId == event.eventId {
                if let entry = Self.entry(in: repository.journal, for: drift, made: event) {
                    attribution.live?.via = "ballast"
                    attribution.live?.cause = "ballast \(entry.kind.rawValue) (journal entry "
                        + "\(entry.id.prefix(8)), by \(entry.actor), revision \(entry.revision.prefix(12)))"
                } else if event.claimsBallast {
                    attribution.notes.append("the event names ballast (its session name or user agent), but no "
                        + "journal entry wrote these values then: not counted as ballast's")
                }
            }
            if let (desired, note) = repository.desired(drift) {
                attribution.desired = desired
                if let note { attribution.notes.append(note) }
            }
            explained.environments[e].resources[r].attribution = attribution
        }
        return explained
    }

    /// The live side: the newest of CloudTrail's write naming a differing property and an autoscaler's
    /// activity; what could not be found, said. The CloudTrail event too, for the journal to recognise.
    func live(_ drift: ResourceDrift, client: any AWSAPI, now: Date) async -> (Attribution, CloudTrailEvent?) {
        let writes = Set((drift.resource.kind?.schema.writes ?? []).map(\.name))
        var fromTrail: Attribution.LiveChange?
        var culprit: CloudTrailEvent?
        var problem: String?
        do {
            let events = try await lookup(drift.displayId, client: client, now: now)
            culprit = CloudTrailEvent.culprit(events, for: drift, writes: writes)
            fromTrail = culprit.map { culprit in
                .init(by: culprit.by, at: culprit.time, via: culprit.via, eventId: culprit.eventId,
                      cause: culprit.call)
            }
        } catch {
            problem = "CloudTrail not readable: \(Self.reason(error))"
                + (Self.isDenied(error) ? " (add cloudtrail:LookupEvents)" : "")
        }
        let scaled = await autoscaler(drift, client: client)
        let newest = [fromTrail, scaled].compactMap { $0 }.max { $0.at < $1.at }
        let days = Int((options.since / 86_400).rounded())
        let notes = problem.map { [$0] } ?? (newest == nil ? ["no matching event in the last \(days) days"] : [])
        return (Attribution(live: newest, notes: notes), culprit)
    }

    /// `LookupEvents` by resource name over `since`, newest first, a few pages at most.
    func lookup(_ name: String, client: any AWSAPI, now: Date) async throws -> [CloudTrailEvent] {
        var events: [CloudTrailEvent] = []
        var input: [String: Value] = [
            "LookupAttributes": [["AttributeKey": "ResourceName", "AttributeValue": .string(name)]],
            "StartTime": .double((now.timeIntervalSince1970 - options.since).rounded()),
            "MaxResults": .int(Self.pageSize),
        ]
        for _ in 0..<Self.maxPages {
            let page = try await client.json(Self.lookupEvents, .map(input))
            events += (page["Events"]?.list ?? []).compactMap(CloudTrailEvent.init(lookedUp:))
            guard let next = page["NextToken"]?.string, !next.isEmpty else { break }
            input["NextToken"] = .string(next)
        }
        return events
    }

    /// A capacity an autoscaler moved: an Auto Scaling group's (EC2 Auto Scaling), or an ECS service's
    /// desired count or a DynamoDB table's provisioned capacity (Application Auto Scaling): the newest
    /// activity a policy or a scheduled action made, when no user request came after it.
    func autoscaler(_ drift: ResourceDrift, client: any AWSAPI) async -> Attribution.LiveChange? {
        let paths = Set(drift.differences.map(\.path))
        switch drift.resource.type {
        case "AWS::AutoScaling::AutoScalingGroup"
        where !paths.isDisjoint(with: ["/DesiredCapacity", "/MinSize", "/MaxSize"]):
            guard let answer = try? await client.query(Self.describeScalingActivities, [
                "AutoScalingGroupName": drift.displayId, "MaxRecords": String(Self.activities),
            ]) else { return nil }
            return Self.firstAutoscaled((answer.child("Activities")?.children ?? []).map { activity in
                (activity.child("Cause")?.text ?? "", activity.child("StartTime").flatMap { Timestamp.parse($0.text) },
                 activity.child("ActivityId")?.text)
            })
        case "AWS::ECS::Service" where paths.contains("/DesiredCount"):
            return await scalableTarget("ecs", "service/" + drift.displayId, "ecs:service:DesiredCount", client)
        case "AWS::DynamoDB::Table":
            for (path, dimension) in [("/ProvisionedThroughput/ReadCapacityUnits", "ReadCapacityUnits"),
                                      ("/ProvisionedThroughput/WriteCapacityUnits", "WriteCapacityUnits")]
            where paths.contains(path) {
                if let scaled = await scalableTarget("dynamodb", "table/" + drift.displayId,
                                                     "dynamodb:table:" + dimension, client) { return scaled }
            }
            return nil
        default:
            return nil
        }
    }

    /// Application Auto Scaling's activities of one scalable target.
    func scalableTarget(_ namespace: String, _ resourceId: String, _ dimension: String,
                        _ client: any AWSAPI) async -> Attribution.LiveChange? {
        guard let answer = try? await client.json(Self.describeScalableTargetActivities, .map([
            "ServiceNamespace": .string(namespace), "ResourceId": .string(resourceId),
            "ScalableDimension": .string(dimension), "MaxResults": .int(Self.activities),
        ])) else { return nil }
        return Self.firstAutoscaled((answer["ScalingActivities"]?.list ?? []).map { activity in
            (activity["Cause"]?.string ?? "",
             activity["StartTime"]?.number.map(Date.init(timeIntervalSince1970:)), activity["ActivityId"]?.string)
        })
    }

    /// Activities newest first: the first is a user's (then CloudTrail names who), or an autoscaler's.
    static func firstAutoscaled(_ activities: [(cause: String, at: Date?, id: String?)]) -> Attribution.LiveChange? {
        for activity in activities {
            guard let at = activity.at else { continue }
            let cause = activity.cause.lowercased()
            if cause.contains("user request") { return nil }  // a person's change: CloudTrail says who
            if cause.contains("policy") || cause.contains("scheduled action") {
                return .init(by: "autoscaling.amazonaws.com", at: at, via: "autoscaling", eventId: activity.id,
                             cause: String(activity.cause.prefix(500)))
            }
        }
        return nil
    }

    /// The newest journal entry that made `event`: within its apply's window, the same values.
    static func entry(
        in journal: [JournalEntry], for drift: ResourceDrift, made event: CloudTrailEvent
    ) -> JournalEntry? {
        journal.filter { $0.wrote(event, of: drift.resource.type, id: drift.displayId) }.max { $0.time < $1.time }
    }

    /// `logs:PutRetentionPolicy` from `logs.amazonaws.com` and `PutRetentionPolicy`.
    static func reason(_ error: Error) -> String {
        guard let aws = error as? AWSError else { return "\(error)" }
        return aws.code + (aws.message.isEmpty ? "" : ": " + String(aws.message.prefix(300)))
    }

    static func isDenied(_ error: Error) -> Bool {
        guard let aws = error as? AWSError else { return false }
        return ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"].contains(aws.code)
    }
}

/// What an explanation reads from the repository, each once: the apply journal, when a notifying
/// run first saw each drift, and (blame) the commit that last set a resource's owned line.
struct Repository {
    let git: GitRepository?
    let commit: GitCommit?
    let fromWorktree: Bool
    let journal: [JournalEntry]
    /// The drift-notify state's first-seen entries.
    let firstSeen: [String: String]

    init(_ loaded: LoadedState) {
        git = try? GitRepository(discoveringFrom: loaded.repositoryRoot)
        commit = loaded.commit
        fromWorktree = loaded.fromWorktree
        journal = (try? Journal(repositoryPath: loaded.repositoryRoot).entries()) ?? []
        firstSeen = git.map { DriftNotifier.firstSeen(in: $0) } ?? [:]
    }

    /// The line of the first differing property (the resource's own line when it is DELETED).
    func desired(_ drift: ResourceDrift) -> (Attribution.DesiredChange, String?)? {
        guard let git, let commit else { return nil }
        let location = drift.differences.first.map { drift.resource.location(of: $0.path) } ?? drift.resource.source
        guard let line = try? git.blame(location.file, line: location.line, at: commit) else { return nil }
        let change = Attribution.DesiredChange(commit: line.commit, author: line.author,
                                               at: Date(timeIntervalSince1970: TimeInterval(line.time)),
                                               subject: line.summary)
        return (change, fromWorktree ? "desired side blamed at HEAD; the working tree's edits are not committed" : nil)
    }
}
