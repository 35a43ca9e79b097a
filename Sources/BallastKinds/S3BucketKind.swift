import BallastCore

/// S3 buckets: versioning and lifecycle rules, with CloudFormation's field names.
public struct S3BucketKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, plannedReads: plannedReads, changes: changes(for:), normalize: normalized(_:for:))

    /// What else changes what it owns: the lifecycle removed, or the bucket deleted. Watched for (`watch --events`),
    /// never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.s3, "DeleteBucketLifecycle", iamAction: "s3:PutLifecycleConfiguration"),
        APIOperation(.s3, "DeleteBucket"),
    ]

    static let getBucketVersioning = APIOperation(.s3, "GetBucketVersioning")
    static let putBucketVersioning = APIOperation(.s3, "PutBucketVersioning")
    /// IAM authorizes the lifecycle calls by other names than the API's.
    static let getBucketLifecycleConfiguration = APIOperation(.s3, "GetBucketLifecycleConfiguration",
                                                              iamAction: "s3:GetLifecycleConfiguration")
    // CloudTrail logs it as `PutBucketLifecycle` (the S3 User Guide, "Amazon S3 CloudTrail events").
    static let putBucketLifecycleConfiguration = APIOperation(.s3, "PutBucketLifecycleConfiguration",
                                                              iamAction: "s3:PutLifecycleConfiguration",
                                                              eventName: "PutBucketLifecycle")

    static let transition = ValueType.object(
        ObjectSchema([
            (
                "StorageClass",
                .oneOf(["DEEP_ARCHIVE", "GLACIER", "GLACIER_IR", "INTELLIGENT_TIERING", "ONEZONE_IA", "STANDARD_IA"])
            ),
            ("TransitionInDays", .nonNegative),
        ]))

    static let rule = ValueType.object(ObjectSchema([
        ("Id", .text),
        ("Status", .oneOf(["Enabled", "Disabled"])),
        ("Prefix", .text),
        ("TagFilters", .list(.object(ObjectSchema([("Key", .text), ("Value", .text)])), maxCount: nil)),
        ("ObjectSizeGreaterThan", .nonNegative),
        ("ObjectSizeLessThan", .positive),
        ("ExpirationInDays", .positive),
        ("ExpirationDate", .text),
        ("ExpiredObjectDeleteMarker", .boolean),
        ("NoncurrentVersionExpirationInDays", .positive),
        ("NoncurrentVersionExpiration", .object(ObjectSchema([("NoncurrentDays", .positive),
                                                              ("NewerNoncurrentVersions", .positive)]))),
        ("AbortIncompleteMultipartUpload", .object(ObjectSchema([("DaysAfterInitiation", .positive)]))),
        ("Transitions", .list(transition, maxCount: nil)),
        ("NoncurrentVersionTransitions", .list(transition, maxCount: nil)),
    ]))

    static let permissions = KindPermissions(
        read: [getBucketVersioning, getBucketLifecycleConfiguration],
        write: [putBucketVersioning, putBucketLifecycleConfiguration]) { id, region, account in
        "arn:aws:s3:::" + (ARN(id)?.resource ?? id)
    }

    /// `aws_s3_bucket_versioning` (the provider's versioning resource; lifecycle rules live in
    /// `aws_s3_bucket_lifecycle_configuration`, whose rule blocks are not mapped: import them from live).
    static let terraform = TerraformMapping("aws_s3_bucket_versioning", idAttribute: "bucket", [
        .init("/VersioningConfiguration/Status", "versioning_configuration.0.status",
              convert: { $0 == "Disabled" ? "Suspended" : $0 }),
    ])

    static let properties = ResourceSchema(
        type: "AWS::S3::Bucket",
        properties: ObjectSchema([
            ("VersioningConfiguration", .object(ObjectSchema([("Status", .oneOf(["Enabled", "Suspended"]))]))),
            ("LifecycleConfiguration", .object(ObjectSchema([("Rules", .list(rule, maxCount: 1000))]))),
        ]),
        checks: { r in
            // S3 requires every lifecycle rule to say whether it is on.
            guard case .list(let rules)? = r.exactValue(at: "/LifecycleConfiguration/Rules") else { return [] }
            return rules.enumerated().compactMap { index, rule in
                guard case .map(let fields) = rule, fields["Status"] == nil else { return nil }
                return Diagnostic(r.location(of: "/LifecycleConfiguration/Rules"),
                                  "lifecycle rule \(index + 1) needs Status: Enabled or Disabled")
            } + KeyedList(key: ["Id"]).duplicates(in: r, at: "/LifecycleConfiguration/Rules", what: "lifecycle rule")
        })
    /// One bucket at a time: GetBucketVersioning and GetBucketLifecycleConfiguration,
    /// each only when declared. Lifecycle rules come back in CloudFormation's shape.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["NoSuchBucket"]) { target in
            let bucket = ARN(target.id)?.resource ?? target.id // arn:aws:s3:::bucket
            return try await inBucketRegion(bucket, client) { client in try await read(bucket, target, client) }
        }
    }

    static func read(_ bucket: String, _ target: LiveTarget, _ client: any AWSAPI) async throws -> LiveRead {
        var live: [String: Value] = [:]
        if target.wants("VersioningConfiguration") {
            let versioning = try await client.restXML(getBucketVersioning, method: "GET", segments: [bucket],
                                                      query: [("versioning", "")])
            // A bucket that never had versioning reports no Status; for new objects it
            // behaves as Suspended, the only other value CloudFormation knows.
            live["VersioningConfiguration"] = .map(["Status": versioning.string("Status") ?? .string("Suspended")])
        }
        if target.wants("LifecycleConfiguration") {
            live["LifecycleConfiguration"] = .map(["Rules": .list(try await lifecycleRules(bucket, client))])
        }
        return .found(live)
    }

    static func lifecycleRules(_ bucket: String, _ client: any AWSAPI) async throws -> [Value] {
        do {
            let answer = try await client.restXML(getBucketLifecycleConfiguration, method: "GET", segments: [bucket],
                                                  query: [("lifecycle", "")])
            return answer.children.filter { $0.name == "Rule" }.map(S3Lifecycle.rule)
        } catch let error as AWSError where error.code == "NoSuchLifecycleConfiguration" {
            return [] // no configuration is no rules
        }
    }

    /// The repository owns the rules it names: live rules it does not name, and fields
    /// of a named rule it does not set, are not drift (see `S3Lifecycle`).
    static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] {
        guard case .list(let desiredRules)? = resource.exactValue(at: "/LifecycleConfiguration/Rules"),
              case .list(let liveRules)? = value(at: "/LifecycleConfiguration/Rules", in: live) else { return live }
        var copy = live
        copy["LifecycleConfiguration"] = .map(["Rules": .list(S3Lifecycle.owned(desiredRules, live: liveRules))])
        return copy
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        [
            getBucketVersioning: targets.filter { $0.wants("VersioningConfiguration") }.count,
            getBucketLifecycleConfiguration: targets.filter { $0.wants("LifecycleConfiguration") }.count,
        ].filter { $0.value > 0 }
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        [ChangeBuilder.change(drift, putBucketVersioning, prefixes: ["/VersioningConfiguration"]),
         ChangeBuilder.change(drift, putBucketLifecycleConfiguration, prefixes: ["/LifecycleConfiguration"])]
            .compactMap { $0 }
    }

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [
        putBucketVersioning: write,
        putBucketLifecycleConfiguration: write,
    ]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let bucket = ARN(change.id)?.resource ?? change.id
        try await inBucketRegion(bucket, client) { client in try await write(change, bucket, client) }
    }

    static func write(_ change: PlannedChange, _ bucket: String, _ client: any AWSAPI) async throws {
        switch change.operation {
        case putBucketVersioning:
            let status = change.to("/VersioningConfiguration/Status")?.string ?? "Suspended"
            _ = try await client.restXML(
                putBucketVersioning, method: "PUT", segments: [bucket],
                query: [("versioning", "")],
                body: "<VersioningConfiguration><Status>\(status)</Status></VersioningConfiguration>")
        case putBucketLifecycleConfiguration:
            // The put replaces the whole configuration: start from what is live.
            let live = try await liveRules(bucket, client)
            let rules = S3Lifecycle.merged(live: live, desired: change.to("/LifecycleConfiguration/Rules")?.list ?? [])
            guard !rules.isEmpty else { return }
            _ = try await client.restXML(putBucketLifecycleConfiguration, method: "PUT", segments: [bucket],
                                         query: [("lifecycle", "")], body: S3Lifecycle.xml(rules))
        default: throw WriteError("ballast cannot perform \(change.call)")
        }
    }

    /// Runs `body` with a client for the bucket's own region. S3 answers a request signed
    /// for another region with a redirect naming the right one (`x-amz-bucket-region`), and
    /// does nothing else: `body` runs again there. A bucket need not be in its environment's
    /// region; the common case costs no extra call.
    static func inBucketRegion<T>(_ bucket: String, _ client: any AWSAPI,
                                  _ body: (any AWSAPI) async throws -> T) async throws -> T {
        let first = client.bucketRegion(bucket).map { $0 == client.region ? client : client.inRegion($0) } ?? client
        do {
            return try await body(first)
        } catch let error as AWSError where error.bucketRegion != nil && error.bucketRegion != first.region {
            client.rememberBucketRegion(bucket, error.bucketRegion!)
            return try await body(client.inRegion(error.bucketRegion!))
        }
    }

    /// The live rules as S3 sent them.
    static func liveRules(_ bucket: String, _ client: any AWSAPI) async throws -> [XMLTree] {
        do {
            return try await client.restXML(getBucketLifecycleConfiguration, method: "GET", segments: [bucket],
                                            query: [("lifecycle", "")]).children.filter { $0.name == "Rule" }
        } catch let error as AWSError where error.code == "NoSuchLifecycleConfiguration" {
            return []
        }
    }

    /// CloudFormation's rules as a whole configuration's XML (for seeding an emulator).
    public static func lifecycleXML(_ rules: [Value]) -> String {
        S3Lifecycle.xml(S3Lifecycle.merged(live: [], desired: rules))
    }
}
