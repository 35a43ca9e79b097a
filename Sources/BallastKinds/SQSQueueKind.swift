import BallastCore

/// SQS queues, identified by name or URL: the queue's timing and size settings and its
/// dead-letter redrive. Attributes travel as strings; they are numbers here, as in
/// CloudFormation, and the redrive policy (a JSON document in a string) is a mapping.
public struct SQSQueueKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, destructive: destructive, plannedReads: plannedReads, changes: changes(for:))

    /// A shorter retention deletes the messages older than it.
    static let destructive = [
        DestructiveChange(
            "/MessageRetentionPeriod", .lowered,
            reason: "Messages older than the new retention period are expired and deleted (within 15 minutes).",
            source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/"
                + "API_SetQueueAttributes.html"),
    ]

    /// What else changes what it owns: the queue deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.sqs, "DeleteQueue"),
    ]

    static let getQueueUrl = APIOperation(.sqs, "GetQueueUrl")
    static let getQueueAttributes = APIOperation(.sqs, "GetQueueAttributes")
    static let setQueueAttributes = APIOperation(.sqs, "SetQueueAttributes")
    static let listQueues = APIOperation(.sqs, "ListQueues")

    /// The numeric attributes ballast owns, with the ranges SetQueueAttributes accepts (botocore's
    /// SQS model, `SetQueueAttributesRequest.Attributes`).
    static let numbers: [(String, ClosedRange<Int>)] = [
        ("VisibilityTimeout", 0...43_200),
        ("MessageRetentionPeriod", 60...1_209_600),
        ("DelaySeconds", 0...900),
        ("ReceiveMessageWaitTimeSeconds", 0...20),
        ("MaximumMessageSize", 1_024...1_048_576),
    ]

    /// `aws_sqs_queue`: its `name`; the redrive policy is a JSON string there too.
    static let terraform = TerraformMapping("aws_sqs_queue", idAttribute: "name", [
        .init("/VisibilityTimeout", "visibility_timeout_seconds"),
        .init("/MessageRetentionPeriod", "message_retention_seconds"),
        .init("/DelaySeconds", "delay_seconds"),
        .init("/ReceiveMessageWaitTimeSeconds", "receive_wait_time_seconds"),
        .init("/MaximumMessageSize", "max_message_size"),
    ])

    static let properties = ResourceSchema(
        type: "AWS::SQS::Queue",
        properties: ObjectSchema(numbers.map { ($0.0, ValueType.integer($0.1)) } + [
            ("RedrivePolicy", .object(ObjectSchema([
                // "Configure a dead-letter queue using the Amazon SQS console": Maximum receives, 1 to 1,000.
                ("maxReceiveCount", .integer(1...1_000)),
                ("deadLetterTargetArn", .string(StringFormat("an SQS queue ARN") {
                    $0.hasPrefix("arn:") && $0.contains(":sqs:")
                })),
            ]))),
        ]))

    static let permissions = KindPermissions(
        read: [listQueues, getQueueUrl, getQueueAttributes],
        write: [setQueueAttributes],
        unscoped: [listQueues]) { id, region, account in
        "arn:aws:sqs:\(region):\(account):\(name(id))"
    }

    /// `https://sqs.eu-west-1.amazonaws.com/123456789012/frames` -> `frames`; a name is itself.
    static func name(_ id: String) -> String {
        isURL(id) ? String(id.split(separator: "/").last ?? "") : id
    }

    /// Whether an id is the queue's URL rather than its name.
    static func isURL(_ id: String) -> Bool { id.contains("://") }

    /// A queue named by URL is read at once. Queues named by name need their URLs (a URL holds
    /// the account): several come from one ListQueues by their names' common prefix, 1,000 a page
    /// (`MaxResults`, at most 1,000 in the API's model), a lone one or one the listing lacks (a
    /// queue made a moment ago) from GetQueueUrl. Then GetQueueAttributes for the declared
    /// attributes only.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        let listed = await listedURLs(Set(targets.map(\.id).filter { !isURL($0) }), client)
        return await Reading.each(targets, missing: missing) { target in
            let url = if let known = listed[target.id] { known } else { try await queueURL(target.id, client) }
            let wanted = target.declared.sorted()
            let answer = try await client.json(getQueueAttributes, .map([
                "QueueUrl": .string(url), "AttributeNames": .list(wanted.map(Value.string))]))
            guard case .map(let attributes)? = answer["Attributes"] else { return .found([:]) }
            return .found(live(attributes))
        }
    }

    /// The JSON protocol's code, and the query protocol's that SQS also sends (`x-amzn-query-error`).
    static let missing: Set<String> = ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]

    /// The URLs of these names from ListQueues, paged only until every name is found and at most
    /// as many pages as names; empty for fewer than two names or when the listing fails (each
    /// is then asked for alone).
    static func listedURLs(_ names: Set<String>, _ client: any AWSAPI) async -> [String: String] {
        guard names.count > 1 else { return [:] }
        var found: [String: String] = [:]
        var request: [String: Value] = ["QueueNamePrefix": .string(Reading.commonPrefix(names.sorted())),
                                        "MaxResults": .int(pageSize)]
        for _ in 0..<names.count {
            guard let page = try? await client.json(listQueues, .map(request)) else { return found }
            for url in (page["QueueUrls"]?.list ?? []).compactMap(\.string) where names.contains(name(url)) {
                found[name(url)] = url
            }
            guard found.count < names.count, let next = page["NextToken"]?.string, !next.isEmpty else { break }
            request["NextToken"] = .string(next)
        }
        return found
    }

    /// ListQueues' largest page.
    static let pageSize = 1_000

    static func queueURL(_ id: String, _ client: any AWSAPI) async throws -> String {
        if isURL(id) { return id }
        return try await client.json(getQueueUrl, .map(["QueueName": .string(id)]))["QueueUrl"]?.string ?? id
    }

    /// The answer's strings as CloudFormation's values.
    static func live(_ attributes: [String: Value]) -> [String: Value] {
        var live: [String: Value] = [:]
        for (name, _) in numbers {
            if let text = attributes[name]?.string, let number = Int(text) { live[name] = .int(number) }
        }
        if let text = attributes["RedrivePolicy"]?.string, case .map(var policy)? = try? JSON.parse(Array(text.utf8)) {
            // AWS has sent maxReceiveCount both as a number and as a string.
            if let count = policy["maxReceiveCount"]?.string.flatMap(Int.init) {
                policy["maxReceiveCount"] = .int(count)
            }
            live["RedrivePolicy"] = .map(policy)
        }
        return live
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        let named = targets.filter { !isURL($0.id) }.count
        return [listQueues: named > 1 ? Reading.batches(named, of: pageSize) : 0, getQueueUrl: named == 1 ? 1 : 0,
                getQueueAttributes: targets.count].filter { $0.value > 0 }
    }

    /// One SetQueueAttributes with the attributes that differ; the redrive policy is set whole, its
    /// other field kept as it is live.
    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.change(drift, setQueueAttributes) { set in
            if set.keys.contains(where: { $0.hasPrefix("/RedrivePolicy/") }) {
                ChangeBuilder.keep("/RedrivePolicy/maxReceiveCount", from: drift.live, in: &set)
                ChangeBuilder.keep("/RedrivePolicy/deadLetterTargetArn", from: drift.live, in: &set)
            }
        }.map { [$0] } ?? []
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [setQueueAttributes: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        var attributes: [String: Value] = [:]
        for (name, _) in numbers {
            if let value = change.to("/" + name)?.number { attributes[name] = .string(String(Int(value))) }
        }
        let count = change.to("/RedrivePolicy/maxReceiveCount")
        let target = change.to("/RedrivePolicy/deadLetterTargetArn")
        if count != nil || target != nil {
            let policy: [String: Value] = ["maxReceiveCount": count ?? .null, "deadLetterTargetArn": target ?? .null]
            attributes["RedrivePolicy"] = .string(JSON.encode(.map(policy.filter { $0.value != .null })))
        }
        _ = try await client.json(setQueueAttributes, .map([
            "QueueUrl": .string(try await queueURL(change.id, client)), "Attributes": .map(attributes)]))
    }

    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        let input: [String: Value] = prefix.isEmpty ? [:] : ["QueueNamePrefix": .string(prefix)]
        return try await client.jsonPages(listQueues, input, token: "NextToken")
            .flatMap { $0["QueueUrls"]?.list ?? [] }.compactMap { $0.string.map(name) }
    }
}
