import BallastCore

/// S3 lifecycle rules between S3's XML and CloudFormation's shape, and the merge that
/// lets the repository own only what it names. `PutBucketLifecycleConfiguration`
/// replaces a bucket's whole configuration, so a write starts from the live XML: rules
/// the repository does not name stay as they are, and inside a named rule every element
/// it does not set is kept (a Tag filter, a date, NewerNoncurrentVersions).
enum S3Lifecycle {
    /// A rule is matched by `Id`; one written without an Id, by position, to a live rule
    /// no other desired rule names.
    static func match(_ desired: [Value], liveIds: [String?]) -> [Int?] {
        let named = Set(desired.compactMap { $0["Id"]?.string })
        return desired.enumerated().map { index, rule in
            if let id = rule["Id"]?.string { return liveIds.firstIndex(of: id) }
            guard index < liveIds.count, !(liveIds[index].map(named.contains) ?? false) else { return nil }
            return index
        }
    }

    /// The live rules as the desired ones see them: matched in desired order, with only
    /// the fields each desired rule sets (an unmatched rule is empty).
    static func owned(_ desired: [Value], live: [Value]) -> [Value] {
        let matches = match(desired, liveIds: live.map { $0["Id"]?.string })
        return zip(desired, matches).map { rule, index in
            guard let index, case .map(let fields) = live[index], case .map(let wanted) = rule else {
                return .map([:])
            }
            return .map(fields.filter { wanted[$0.key] != nil })
        }
    }

    // MARK: S3's XML -> CloudFormation's rule

    static func rule(_ xml: XMLTree) -> Value {
        let filter = xml.child("Filter")
        let conditions = filter?.child("And") ?? filter
        var rule: [String: Value?] = [
            "Id": xml.string("ID"),
            "Status": xml.string("Status"),
            // The prefix may sit in a Filter (current API), in its And, or on the rule (legacy).
            "Prefix": conditions?.string("Prefix") ?? xml.string("Prefix"),
            "ObjectSizeGreaterThan": conditions?.int("ObjectSizeGreaterThan"),
            "ObjectSizeLessThan": conditions?.int("ObjectSizeLessThan"),
            "ExpirationInDays": xml.child("Expiration")?.int("Days"),
            "ExpirationDate": xml.child("Expiration")?.string("Date"),
            "ExpiredObjectDeleteMarker": xml.child("Expiration")?.bool("ExpiredObjectDeleteMarker"),
            "NoncurrentVersionExpirationInDays": xml.child("NoncurrentVersionExpiration")?.int("NoncurrentDays"),
            "AbortIncompleteMultipartUpload": xml.child("AbortIncompleteMultipartUpload")?.int("DaysAfterInitiation")
                .map { .map(["DaysAfterInitiation": $0]) },
        ]
        if let noncurrent = xml.child("NoncurrentVersionExpiration") {
            let fields = ["NoncurrentDays": noncurrent.int("NoncurrentDays"),
                          "NewerNoncurrentVersions": noncurrent.int("NewerNoncurrentVersions")]
            rule["NoncurrentVersionExpiration"] = .map(fields.compactMapValues { $0 })
        }
        let tags = (conditions?.children ?? []).filter { $0.name == "Tag" }.map { tag in
            Value.map(["Key": tag.string("Key") ?? "", "Value": tag.string("Value") ?? ""])
        }
        if !tags.isEmpty { rule["TagFilters"] = .list(tags) }
        func transitions(_ name: String, days: String) -> [Value] {
            xml.children.filter { $0.name == name }.map { transition in
                .map(["StorageClass": transition.string("StorageClass"), "TransitionInDays": transition.int(days)]
                    .compactMapValues { $0 })
            }
        }
        let current = transitions("Transition", days: "Days")
        let noncurrent = transitions("NoncurrentVersionTransition", days: "NoncurrentDays")
        if !current.isEmpty { rule["Transitions"] = .list(current) }
        if !noncurrent.isEmpty { rule["NoncurrentVersionTransitions"] = .list(noncurrent) }
        // An empty prefix is the whole bucket, the same as none.
        if rule["Prefix"] == .some(.string("")) { rule["Prefix"] = nil }
        return .map(rule.compactMapValues { $0 })
    }

    // MARK: The merge

    /// The live rules with the desired ones written into them (or added), as the
    /// configuration to put.
    static func merged(live: [XMLTree], desired: [Value]) -> [XMLTree] {
        var rules = live
        for (rule, index) in zip(desired, match(desired, liveIds: live.map { $0.child("ID")?.text })) {
            if let index {
                rules[index] = merge(rules[index], rule)
            } else {
                rules.append(merge(XMLTree(name: "Rule", text: "", children: []), rule))
            }
        }
        return rules
    }

    /// One rule: the elements `desired` sets replaced, every other element kept.
    static func merge(_ live: XMLTree, _ desired: Value) -> XMLTree {
        var rule = live
        func set(_ name: String, _ value: Value?) {
            guard let value else { return }
            rule.children.removeAll { $0.name == name }
            rule.children.append(leaf(name, value))
        }
        set("ID", desired["Id"])
        set("Status", desired["Status"])
        let filterKeys = ["Prefix", "TagFilters", "ObjectSizeGreaterThan", "ObjectSizeLessThan"]
        let unfiltered = rule.child("Filter") == nil && rule.child("Prefix") == nil  // S3 wants one of them
        if filterKeys.contains(where: { desired[$0] != nil }) || unfiltered {
            rule.children.removeAll { $0.name == "Filter" || $0.name == "Prefix" }
            rule.children.append(filter(desired, keeping: Self.rule(live)))
        }
        let expirationKeys = [("ExpirationInDays", "Days"), ("ExpirationDate", "Date"),
                              ("ExpiredObjectDeleteMarker", "ExpiredObjectDeleteMarker")]
        if expirationKeys.contains(where: { desired[$0.0] != nil }) {
            var expiration = rule.child("Expiration") ?? XMLTree(name: "Expiration", text: "", children: [])
            if desired["ExpirationInDays"] != nil || desired["ExpirationDate"] != nil {
                expiration.children.removeAll { $0.name == "Days" || $0.name == "Date" }
            }
            for (key, name) in expirationKeys {
                guard let value = desired[key] else { continue }
                expiration.children.removeAll { $0.name == name }
                expiration.children.append(leaf(name, value))
            }
            replace(&rule, expiration)
        }
        let noncurrentDays = desired["NoncurrentVersionExpiration"]?["NoncurrentDays"]
            ?? desired["NoncurrentVersionExpirationInDays"]
        let newer = desired["NoncurrentVersionExpiration"]?["NewerNoncurrentVersions"]
        if noncurrentDays != nil || newer != nil {
            var element = rule.child("NoncurrentVersionExpiration") ?? node("NoncurrentVersionExpiration", [])
            for (name, value) in [("NoncurrentDays", noncurrentDays), ("NewerNoncurrentVersions", newer)] {
                guard let value else { continue }
                element.children.removeAll { $0.name == name }
                element.children.append(leaf(name, value))
            }
            replace(&rule, element)
        }
        if let abort = desired["AbortIncompleteMultipartUpload"]?["DaysAfterInitiation"] {
            replace(&rule, node("AbortIncompleteMultipartUpload", [leaf("DaysAfterInitiation", abort)]))
        }
        let transitionKinds = [("Transitions", "Transition", "Days"),
                               ("NoncurrentVersionTransitions", "NoncurrentVersionTransition", "NoncurrentDays")]
        for (key, name, days) in transitionKinds {
            guard let transitions = desired[key]?.list else { continue }
            rule.children.removeAll { $0.name == name }
            rule.children += transitions.map { transition in
                node(name, [transition["TransitionInDays"].map { leaf(days, $0) },
                            transition["StorageClass"].map { leaf("StorageClass", $0) }].compactMap { $0 })
            }
        }
        return rule
    }

    /// The Filter: each condition from the desired rule, else as it was live.
    static func filter(_ desired: Value, keeping live: Value) -> XMLTree {
        func pick(_ key: String) -> Value? { desired[key] ?? live[key] }
        var conditions: [XMLTree] = []
        if let prefix = pick("Prefix") { conditions.append(leaf("Prefix", prefix)) }
        for tag in pick("TagFilters")?.list ?? [] {
            conditions.append(node("Tag", [leaf("Key", tag["Key"] ?? ""), leaf("Value", tag["Value"] ?? "")]))
        }
        for key in ["ObjectSizeGreaterThan", "ObjectSizeLessThan"] {
            if let size = pick(key) { conditions.append(leaf(key, size)) }
        }
        guard conditions.count > 1 else {
            return XMLTree(name: "Filter", text: "", children: conditions.isEmpty ? [leaf("Prefix", "")] : conditions)
        }
        return XMLTree(name: "Filter", text: "", children: [XMLTree(name: "And", text: "", children: conditions)])
    }

    static func node(_ name: String, _ children: [XMLTree]) -> XMLTree {
        XMLTree(name: name, text: "", children: children)
    }

    static func leaf(_ name: String, _ value: Value) -> XMLTree {
        XMLTree(name: name, text: value.string ?? value.description, children: [])
    }

    static func replace(_ rule: inout XMLTree, _ element: XMLTree) {
        rule.children.removeAll { $0.name == element.name }
        rule.children.append(element)
    }

    /// S3's order for a rule's elements.
    static let order = ["ID", "Status", "Filter", "Prefix", "Transition", "NoncurrentVersionTransition", "Expiration",
                        "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload"]

    /// The configuration as XML, every element as it was read or merged.
    static func xml(_ rules: [XMLTree]) -> String {
        func write(_ node: XMLTree) -> String {
            let children = node.name == "Rule"
                ? node.children.enumerated().sorted { ((order.firstIndex(of: $0.element.name) ?? 99), $0.offset)
                    < ((order.firstIndex(of: $1.element.name) ?? 99), $1.offset) }.map(\.element)
                : node.children
            let inner = children.isEmpty ? XMLText.escape(node.text) : children.map(write).joined()
            return "<\(node.name)>\(inner)</\(node.name)>"
        }
        return "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + rules.map(write).joined()
            + "</LifecycleConfiguration>"
    }
}
