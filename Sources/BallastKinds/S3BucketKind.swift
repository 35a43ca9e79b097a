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

    public static let permissions = KindPermissions(
        read: ["s3:GetBucketVersioning", "s3:GetLifecycleConfiguration"],
        write: ["s3:PutBucketVersioning", "s3:PutLifecycleConfiguration"]) { id, region, account in
        "arn:aws:s3:::" + (ARN(id)?.resource ?? id)
    }

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
            let client = try await inBucketRegion(bucket, client)
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

    public static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        [ChangeBuilder.change(drift, call: "s3:PutBucketVersioning", prefixes: ["/VersioningConfiguration"]),
         ChangeBuilder.change(drift, call: "s3:PutBucketLifecycleConfiguration", prefixes: ["/LifecycleConfiguration"])].compactMap { $0 }
    }

    public static func apply(_ change: PlannedChange, with client: AWSClient) async throws {
        let bucket = ARN(change.id)?.resource ?? change.id
        let client = try await inBucketRegion(bucket, client)
        switch change.call {
        case "s3:PutBucketVersioning":
            let status = change.to("/VersioningConfiguration/Status")?.string ?? "Suspended"
            _ = try await client.restXML(.s3, "PutBucketVersioning", method: "PUT", segments: [bucket], query: [("versioning", "")],
                                         body: "<VersioningConfiguration><Status>\(status)</Status></VersioningConfiguration>")
        case "s3:PutBucketLifecycleConfiguration":
            // The put replaces the whole configuration: never drop what ballast cannot write back.
            let unwritable = try await unmodelled(bucket, client)
            guard unwritable.isEmpty else {
                throw AWSError(service: "S3", operation: "PutBucketLifecycleConfiguration", code: "NotWritten",
                               message: "the bucket's lifecycle holds what ballast cannot write back (" + unwritable.joined(separator: "; ")
                                + "), and the put replaces the whole configuration; nothing was written. Change those rules in S3, "
                                + "or with the tool that owns them", status: 0, requestId: nil)
            }
            let rules = change.to("/LifecycleConfiguration/Rules")?.list ?? []
            if rules.isEmpty {
                _ = try await client.restXML(.s3, "DeleteBucketLifecycle", method: "DELETE", segments: [bucket], query: [("lifecycle", "")])
            } else {
                _ = try await client.restXML(.s3, "PutBucketLifecycleConfiguration", method: "PUT", segments: [bucket],
                                             query: [("lifecycle", "")], body: lifecycleXML(rules))
            }
        default: throw UnsupportedWrite(call: change.call)
        }
    }

    /// A client for the bucket's own region. S3 answers a request signed for another region
    /// with a redirect naming the right one (`x-amz-bucket-region`); a bucket need not be in
    /// its environment's region. GetBucketLocation would need another permission; the
    /// redirect comes free with the first call.
    static func inBucketRegion(_ bucket: String, _ client: AWSClient) async throws -> AWSClient {
        do {
            _ = try await client.restXML(.s3, "GetBucketVersioning", method: "GET", segments: [bucket], query: [("versioning", "")])
            return client
        } catch let error as AWSError where error.bucketRegion != nil && error.bucketRegion != client.region {
            return client.inRegion(error.bucketRegion!)
        }
    }

    /// The elements of a rule ballast reads and writes; anything else (a Tag or And filter,
    /// object size limits, dates, NewerNoncurrentVersions) it cannot write back.
    static let modelled: [String: Set<String>] = [
        "Rule": ["ID", "Status", "Prefix", "Filter", "Expiration", "Transition", "NoncurrentVersionTransition",
                 "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"],
        "Filter": ["Prefix"], "Expiration": ["Days", "ExpiredObjectDeleteMarker"], "Transition": ["Days", "StorageClass"],
        "NoncurrentVersionTransition": ["NoncurrentDays", "StorageClass"], "NoncurrentVersionExpiration": ["NoncurrentDays"],
        "AbortIncompleteMultipartUpload": ["DaysAfterInitiation"],
    ]

    /// `rule tagged-logs: Filter/Tag` for every live element outside `modelled`.
    static func unmodelled(_ bucket: String, _ client: AWSClient) async throws -> [String] {
        let answer: XMLNode
        do {
            answer = try await client.restXML(.s3, "GetBucketLifecycleConfiguration", method: "GET", segments: [bucket],
                                              query: [("lifecycle", "")])
        } catch let error as AWSError where error.code == "NoSuchLifecycleConfiguration" {
            return []
        }
        func walk(_ node: XMLNode, _ path: String) -> [String] {
            node.children.flatMap { child -> [String] in
                guard let known = modelled[node.name], known.contains(child.name) else { return [path + child.name] }
                return modelled[child.name] == nil ? [] : walk(child, path + child.name + "/")
            }
        }
        return answer.children.filter { $0.name == "Rule" }.flatMap { rule in
            walk(rule, "").map { "rule \(rule.child("ID")?.text ?? "(no ID)"): \($0)" }
        }
    }

    /// CloudFormation's rules -> S3's XML (the inverse of `rule(_:)`).
    public static func lifecycleXML(_ rules: [Value]) -> String {
        func element(_ name: String, _ value: Value?) -> String {
            value.map { "<\(name)>\(XMLText.escape($0.string ?? $0.description))</\(name)>" } ?? ""
        }
        let body = rules.map { rule -> String in
            var xml = "<Rule>" + element("ID", rule["Id"]) + "<Filter>" + element("Prefix", rule["Prefix"] ?? "") + "</Filter>"
                + element("Status", rule["Status"] ?? "Enabled")
            for transition in rule["Transitions"]?.list ?? [] {
                xml += "<Transition>" + element("Days", transition["TransitionInDays"]) + element("StorageClass", transition["StorageClass"])
                    + "</Transition>"
            }
            for transition in rule["NoncurrentVersionTransitions"]?.list ?? [] {
                xml += "<NoncurrentVersionTransition>" + element("NoncurrentDays", transition["TransitionInDays"])
                    + element("StorageClass", transition["StorageClass"]) + "</NoncurrentVersionTransition>"
            }
            if rule["ExpirationInDays"] != nil || rule["ExpiredObjectDeleteMarker"] != nil {
                xml += "<Expiration>" + element("Days", rule["ExpirationInDays"])
                    + element("ExpiredObjectDeleteMarker", rule["ExpiredObjectDeleteMarker"]) + "</Expiration>"
            }
            if let days = rule["NoncurrentVersionExpirationInDays"] {
                xml += "<NoncurrentVersionExpiration>" + element("NoncurrentDays", days) + "</NoncurrentVersionExpiration>"
            }
            if let abort = rule["AbortIncompleteMultipartUpload"]?["DaysAfterInitiation"] {
                xml += "<AbortIncompleteMultipartUpload>" + element("DaysAfterInitiation", abort) + "</AbortIncompleteMultipartUpload>"
            }
            return xml + "</Rule>"
        }
        return "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + body.joined() + "</LifecycleConfiguration>"
    }
}
