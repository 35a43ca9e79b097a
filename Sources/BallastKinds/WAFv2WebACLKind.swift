import BallastCore

/// WAF web ACLs, identified as CloudFormation's Ref names them, `NAME|ID|SCOPE` (or by ARN): the
/// default action, and per rule (owned by `Name`) its action, its rate-based statement's limit,
/// aggregation and window, and whether it samples requests. UpdateWebACL replaces the whole ACL,
/// so a write starts from the live document and changes only what the repository owns.
public struct WAFv2WebACLKind: ResourceKind {
    public static let schema = KindSchema(
        properties, permissions: permissions, terraform: terraform,
        changedBy: changedBy, plannedReads: plannedReads, changes: changes(for:), normalize: normalized(_:for:),
        idFromPhysicalId: { physicalId in WebACL(physicalId)?.id ?? physicalId })

    /// What else changes what it owns: the web ACL deleted. Watched for (`watch --events`), never called.
    static let changedBy: [APIOperation] = [
        APIOperation(.wafv2, "DeleteWebACL"),
    ]

    static let getWebACL = APIOperation(.wafv2, "GetWebACL")
    static let updateWebACL = APIOperation(.wafv2, "UpdateWebACL")
    static let listWebACLs = APIOperation(.wafv2, "ListWebACLs")

    /// A web ACL's three names. CLOUDFRONT ACLs live in us-east-1 ("GetWebACL": "To work with
    /// CloudFront, you must also specify the Region US East (N. Virginia)").
    struct WebACL: Equatable {
        let name: String
        let aclId: String
        let scope: String

        /// `NAME|ID|SCOPE`, or `arn:aws:wafv2:REGION:ACCOUNT:regional|global/webacl/NAME/ID`.
        init?(_ id: String) {
            if let arn = ARN(id), arn.service == "wafv2" {
                let parts = arn.resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 4, parts[1] == "webacl", ["regional", "global"].contains(parts[0]) else {
                    return nil
                }
                self.init(name: parts[2], aclId: parts[3], scope: parts[0] == "global" ? "CLOUDFRONT" : "REGIONAL")
                return
            }
            let parts = id.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { return nil }
            self.init(name: parts[0], aclId: parts[1], scope: parts[2])
        }

        init?(name: String, aclId: String, scope: String) {
            guard !name.isEmpty, !aclId.isEmpty, WAFv2WebACLKind.scopes.contains(scope) else { return nil }
            self.name = name
            self.aclId = aclId
            self.scope = scope
        }

        var id: String { "\(name)|\(aclId)|\(scope)" }

        var request: [String: Value] { ["Name": .string(name), "Scope": .string(scope), "Id": .string(aclId)] }

        func client(_ client: any AWSAPI) -> any AWSAPI {
            scope == "CLOUDFRONT" && client.region != "us-east-1" ? client.inRegion("us-east-1") : client
        }
    }

    static let scopes = ["REGIONAL", "CLOUDFRONT"]

    /// An action map: one member, its settings left to AWS (`Block: {}`).
    static let action = ValueType.map(.map(.text))

    static let rule = ValueType.object(ObjectSchema([
        ("Name", .text),
        ("Action", action),
        ("Statement", .object(ObjectSchema([
            ("RateBasedStatement", .object(ObjectSchema([
                // botocore's WAFV2 model: `RateLimit` 10 to 2,000,000,000; `EvaluationWindowSec` "Valid settings
                // are 60, 120, 300, and 600".
                ("Limit", .integer(10...2_000_000_000)),
                ("AggregateKeyType", .oneOf(["IP", "FORWARDED_IP", "CUSTOM_KEYS", "CONSTANT"])),
                ("EvaluationWindowSec", .integerIn([60, 120, 300, 600])),
            ]))),
        ]))),
        ("VisibilityConfig", .object(ObjectSchema([("SampledRequestsEnabled", .boolean)]))),
    ]))

    static let rules = KeyedList(key: ["Name"], exclusive: ["Action", "DefaultAction", "Statement"])

    static let properties = ResourceSchema(
        type: "AWS::WAFv2::WebACL",
        properties: ObjectSchema([
            ("DefaultAction", action),
            ("Rules", .list(rule, maxCount: nil)),
        ]),
        idFormat: StringFormat("NAME|ID|SCOPE with SCOPE REGIONAL or CLOUDFRONT, or a web ACL ARN") {
            WebACL($0) != nil
        },
        checks: checks)

    /// Actions name one member with no settings (ballast owns which action, not its custom
    /// handling), and every rule names itself.
    static func checks(_ r: DesiredResource) -> [Diagnostic] {
        var found: [Diagnostic] = []
        func checkAction(_ value: Value?, _ path: String, _ allowed: [String]) {
            guard case .map(let members)? = value else { return }
            guard members.count == 1, let member = members.keys.first, allowed.contains(member),
                  members[member] == .map([:]) else {
                found.append(Diagnostic(r.location(of: path), "\(Check.name(path)) takes one of "
                    + allowed.map { "\($0): {}" }.joined(separator: ", ")))
                return
            }
        }
        checkAction(r.exactValue(at: "/DefaultAction"), "/DefaultAction", ["Allow", "Block"])
        guard case .list(let entries)? = r.exactValue(at: "/Rules") else { return found }
        for (index, entry) in entries.enumerated() {
            if entry["Name"]?.string == nil {
                found.append(Diagnostic(r.location(of: "/Rules"),
                                        "rule \(index + 1) needs a Name: ballast owns rules by name"))
            }
            checkAction(entry["Action"], "/Rules", ["Allow", "Block", "Count", "Captcha", "Challenge"])
        }
        return found + rules.duplicates(in: r, at: "/Rules", what: "rule")
    }

    static let permissions = KindPermissions(
        read: [getWebACL, listWebACLs], write: [updateWebACL], unscoped: [listWebACLs], anyId: "*|*|REGIONAL") {
        id, region, account in
        guard let acl = WebACL(id) else { return "arn:aws:wafv2:\(region):\(account):*/webacl/*/*" }
        let (scope, home) = acl.scope == "CLOUDFRONT" ? ("global", "us-east-1") : ("regional", region)
        return "arn:aws:wafv2:\(home):\(account):\(scope)/webacl/\(acl.name)/\(acl.aclId)"
    }

    /// `aws_wafv2_web_acl`: its `name`, `id` and `scope` make the id; its rule blocks are not mapped
    /// (import them from live).
    static let terraform = TerraformMapping("aws_wafv2_web_acl", id: { attributes in
        guard let name = attributes["name"]?.string, let aclId = attributes["id"]?.string,
              let scope = attributes["scope"]?.string else { return nil }
        return WebACL(name: name, aclId: aclId, scope: scope)?.id
    }, [])

    /// One GetWebACL per ACL: WAF has no batch read.
    public static func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["WAFNonexistentItemException"]) { target in
            guard let acl = WebACL(target.id) else { return .failed("'\(target.id)' is not NAME|ID|SCOPE") }
            let (document, _) = try await current(acl, client)
            return .found(["DefaultAction": document["DefaultAction"] ?? .null,
                           "Rules": document["Rules"] ?? .list([])].filter { $0.value != .null })
        }
    }

    /// The live ACL and its lock token.
    static func current(_ acl: WebACL, _ client: any AWSAPI) async throws -> ([String: Value], String) {
        let answer = try await acl.client(client).json(getWebACL, .map(acl.request))
        guard case .map(let document)? = answer["WebACL"]?.droppingNulls, let token = answer["LockToken"]?.string
        else {
            throw AWSError(
                service: "WAFV2", operation: "GetWebACL", code: "IncompleteAnswer",
                message: "the answer has no web ACL or no lock token", status: 0, requestId: nil)
        }
        return (document, token)
    }

    /// Rules the repository does not name are not drift, nor are fields of a named rule it does not
    /// set; the default action is seen as its one member.
    static func normalized(_ live: [String: Value], for resource: DesiredResource) -> [String: Value] {
        var copy = live
        if let desired = resource.exactValue(at: "/DefaultAction"), let action = live["DefaultAction"] {
            copy["DefaultAction"] = rules.cut(action, to: desired, field: "DefaultAction")
        }
        if case .list(let desired)? = resource.exactValue(at: "/Rules"), case .list(let entries)? = live["Rules"] {
            copy["Rules"] = .list(rules.owned(desired, live: entries))
        }
        return copy
    }

    static func plannedReads(_ targets: [LiveTarget]) -> [APIOperation: Int] {
        targets.isEmpty ? [:] : [getWebACL: targets.count]
    }

    static func changes(for drift: ResourceDrift) -> [PlannedChange] {
        ChangeBuilder.single(drift, updateWebACL)
    }

    /// The members of GetWebACL's `WebACL` that UpdateWebACL takes back (botocore's WAFV2 model,
    /// `UpdateWebACLRequest`); anything left out would be reset to its default.
    static let updatable = ["DefaultAction", "Description", "Rules", "VisibilityConfig", "DataProtectionConfig",
                            "CustomResponseBodies", "CaptchaConfig", "ChallengeConfig", "TokenDomains",
                            "AssociationConfig", "OnSourceDDoSProtectionConfig", "ApplicationConfig"]

    /// Another writer between the read and the update makes WAF refuse the lock token: read again.
    static let attempts = 3

    /// Each write a plan may name, by its operation (checked against `schema.writes` when `Kinds` is built).
    public static let writes: [APIOperation: KindWrite] = [updateWebACL: write]

    static func write(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        guard let acl = WebACL(change.id) else { throw WriteError("'\(change.id)' is not NAME|ID|SCOPE") }
        for attempt in 1...attempts {
            let (document, token) = try await current(acl, client)
            var request = acl.request.merging(document.filter { updatable.contains($0.key) }) { a, _ in a }
            if request["Description"] == .string("") { request["Description"] = nil } // at least 1 character
            request["LockToken"] = .string(token)
            if let action = change.to("/DefaultAction") {
                request["DefaultAction"] = rules.merge(action, into: document["DefaultAction"] ?? .map([:]),
                                                       field: "DefaultAction")
            }
            if case .list(let desired)? = change.to("/Rules") {
                try refuseOtherStatements(desired, live: document["Rules"]?.list ?? [], acl: acl)
                let (entries, unmatched) = rules.merged(live: document["Rules"]?.list ?? [], desired: desired)
                if !unmatched.isEmpty {
                    let names = unmatched.map { $0["Name"]?.string ?? "?" }.joined(separator: ", ")
                    throw WriteError(
                        "web ACL \(acl.name) has no rule named \(names): ballast changes a rule's "
                            + "settings and does not create rules (its priority, statement and metrics are the "
                            + "template's)"
                    )
                }
                request["Rules"] = .list(entries)
            }
            do {
                _ = try await acl.client(client).json(updateWebACL, .map(request))
                return
            } catch let error as AWSError where error.code == "WAFOptimisticLockException" && attempt < attempts {
                continue
            }
        }
    }

    /// ballast owns a rule's rate-based statement, not its kind of statement: a named rule whose live
    /// statement is another (a `ByteMatchStatement` block rule) is refused by name before anything
    /// is written, since writing the rate-based one would replace the statement and drop the rule's
    /// match whole.
    static func refuseOtherStatements(_ desired: [Value], live: [Value], acl: WebACL) throws {
        for entry in desired {
            guard case .map(let wanted)? = entry["Statement"], let identity = rules.identity(of: entry),
                  let match = live.first(where: { rules.identity(of: $0) == identity }),
                  case .map(let present)? = match["Statement"], Set(present.keys) != Set(wanted.keys) else { continue }
            let name = UntrustedText.line(entry["Name"]?.string ?? "?")
            let have = present.keys.sorted().map(UntrustedText.line).joined(separator: ", ")
            throw WriteError("web ACL \(UntrustedText.line(acl.name)): rule \(name) has a \(have) live, not a "
                + "\(wanted.keys.sorted().joined(separator: ", ")): ballast changes a rule's rate-based statement and "
                + "never replaces a statement of another type (it would drop the rule's match); change the rule in "
                + "WAF, or stop declaring its Statement")
        }
    }

    /// REGIONAL ACLs of the client's region, and CLOUDFRONT ones when it is us-east-1, as ids.
    public static func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        var ids: [String] = []
        for scope in client.region == "us-east-1" ? scopes : ["REGIONAL"] {
            // ListWebACLs' `Limit`: at most 100 (botocore's `PaginationLimit`).
            let pages = try await client.jsonPages(listWebACLs, ["Scope": .string(scope), "Limit": .int(100)],
                                                   token: "NextMarker")
            for summary in pages.flatMap({ $0["WebACLs"]?.list ?? [] }) {
                guard let name = summary["Name"]?.string, let aclId = summary["Id"]?.string,
                      let acl = WebACL(name: name, aclId: aclId, scope: scope), acl.id.hasPrefix(prefix) else {
                    continue
                }
                ids.append(acl.id)
            }
        }
        return ids
    }
}
