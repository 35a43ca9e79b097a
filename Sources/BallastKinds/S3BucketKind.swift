import BallastAWS
import BallastCore

/// S3 buckets: versioning and lifecycle rules, with CloudFormation's field names.
public struct S3BucketKind: ResourceKind {
    static let transition = ValueType.object(ObjectSchema([
        ("StorageClass", .oneOf(["DEEP_ARCHIVE", "GLACIER", "GLACIER_IR", "INTELLIGENT_TIERING", "ONEZONE_IA", "STANDARD_IA"])),
        ("TransitionInDays", .nonNegative),
    ]))

    static let rule = ValueType.object(ObjectSchema([
        ("Id", .text),
        ("Status", .oneOf(["Enabled", "Disabled"])),
        ("Prefix", .text),
        ("ExpirationInDays", .positive),
        ("ExpiredObjectDeleteMarker", .boolean),
        ("NoncurrentVersionExpirationInDays", .positive),
        ("AbortIncompleteMultipartUpload", .object(ObjectSchema([("DaysAfterInitiation", .positive)]))),
        ("Transitions", .list(transition, maxCount: nil)),
        ("NoncurrentVersionTransitions", .list(transition, maxCount: nil)),
    ]))

    public static let schema = ResourceSchema(
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
            }
        })
    /// One bucket at a time: GetBucketVersioning and GetBucketLifecycleConfiguration,
    /// each only when declared. Lifecycle rules come back in CloudFormation's shape.
    public static func read(_ targets: [LiveTarget], with client: AWSClient) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["NoSuchBucket"]) { target in
            let bucket = ARN(target.id)?.resource ?? target.id // arn:aws:s3:::bucket
            var live: [String: Value] = [:]
            if target.wants("VersioningConfiguration") {
                let versioning = try await client.restXML(.s3, "GetBucketVersioning", method: "GET", segments: [bucket],
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
    }

    static func lifecycleRules(_ bucket: String, _ client: AWSClient) async throws -> [Value] {
        do {
            let answer = try await client.restXML(.s3, "GetBucketLifecycleConfiguration", method: "GET", segments: [bucket],
                                                  query: [("lifecycle", "")])
            return answer.children.filter { $0.name == "Rule" }.map(rule)
        } catch let error as AWSError where error.code == "NoSuchLifecycleConfiguration" {
            return [] // no configuration is no rules
        }
    }

    /// S3's XML rule -> CloudFormation's rule (`Expiration/Days` -> `ExpirationInDays`, ...).
    static func rule(_ xml: XMLNode) -> Value {
        var rule: [String: Value?] = [
            "Id": xml.string("ID"),
            "Status": xml.string("Status"),
            // The prefix may sit in a Filter (current API) or on the rule (legacy).
            "Prefix": xml["Filter", "Prefix"].map { .string($0.text) } ?? xml.string("Prefix"),
            "ExpirationInDays": xml.child("Expiration")?.int("Days"),
            "ExpiredObjectDeleteMarker": xml.child("Expiration")?.bool("ExpiredObjectDeleteMarker"),
            "NoncurrentVersionExpirationInDays": xml.child("NoncurrentVersionExpiration")?.int("NoncurrentDays"),
            "AbortIncompleteMultipartUpload": xml.child("AbortIncompleteMultipartUpload")?.int("DaysAfterInitiation")
                .map { .map(["DaysAfterInitiation": $0]) },
        ]
        let transitions = xml.children.filter { $0.name == "Transition" }.map { transition in
            Value.map(["StorageClass": transition.string("StorageClass"), "TransitionInDays": transition.int("Days")].compactMapValues { $0 })
        }
        let noncurrent = xml.children.filter { $0.name == "NoncurrentVersionTransition" }.map { transition in
            Value.map(["StorageClass": transition.string("StorageClass"), "TransitionInDays": transition.int("NoncurrentDays")]
                .compactMapValues { $0 })
        }
        if !transitions.isEmpty { rule["Transitions"] = .list(transitions) }
        if !noncurrent.isEmpty { rule["NoncurrentVersionTransitions"] = .list(noncurrent) }
        // An empty prefix is the whole bucket, the same as none.
        if rule["Prefix"] == .some(.string("")) { rule["Prefix"] = nil }
        return .map(rule.compactMapValues { $0 })
    }

    /// S3 names rules that were written without an Id; a generated Id is not drift.
    public static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] {
        guard case .list(let desiredRules)? = resource.exactValue(at: "/LifecycleConfiguration/Rules"),
              case .list(var liveRules)? = value(at: "/LifecycleConfiguration/Rules", in: live) else { return live }
        for index in liveRules.indices where index < desiredRules.count && desiredRules[index]["Id"] == nil {
            if case .map(var fields) = liveRules[index] {
                fields["Id"] = nil
                liveRules[index] = .map(fields)
            }
        }
        var copy = live
        copy["LifecycleConfiguration"] = .map(["Rules": .list(liveRules)])
        return copy
    }
}
