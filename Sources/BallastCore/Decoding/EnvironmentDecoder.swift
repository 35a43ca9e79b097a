import FoundationEssentials

/// Decodes `desired-state/<env>/environment.yaml`.
public enum EnvironmentDecoder {
    static let keys = ["region", "account", "changeWindows", "lockTable", "terraform", "cloudformation", "assumeRole",
                       "schemaPermissions", "rotationGrace"]
    static let roleKeys = ["roleArn", "externalId", "sessionName", "durationSeconds"]
    static let windowKeys = ["days", "start", "end"]

    public static func decode(_ node: Node, name: String, file: String,
                              diagnostics: inout Diagnostics) -> Environment? {
        guard let map = MappingReader(node, what: "environment.yaml", known: keys, diagnostics: &diagnostics) else {
            return nil
        }
        let before = diagnostics.all.count
        let region = map.string("region", diagnostics: &diagnostics)
        if let region, !RegionName.isValid(region) {
            diagnostics.add(map["region"]!.location, "'\(region)' is not an AWS region name (like us-east-1)")
        }
        let account = map["account"].flatMap { accountId($0, diagnostics: &diagnostics) }
        let lockTable = map["lockTable"] == nil ? nil : map.string("lockTable", diagnostics: &diagnostics)
        var windows: [ChangeWindow] = []
        if let list = map["changeWindows"] {
            if let items = list.items {
                windows = items.compactMap { changeWindow($0, diagnostics: &diagnostics) }
            } else {
                diagnostics.add(list.location, "changeWindows must be a list, found \(list.kindName)")
            }
        }
        let states = map["terraform"].map { list($0, what: "terraform", key: "states", diagnostics: &diagnostics) }
            ?? []
        let stacks = map["cloudformation"]
            .map { list($0, what: "cloudformation", key: "stacks", diagnostics: &diagnostics) } ?? []
        let role = map["assumeRole"].flatMap { roleToAssume($0, diagnostics: &diagnostics) }
        let granted = map["schemaPermissions"].map { schemaPermissions($0, diagnostics: &diagnostics) } ?? []
        let grace = map["rotationGrace"].map { rotationGrace($0, diagnostics: &diagnostics) }
        guard diagnostics.all.count == before, let region else { return nil }
        var environment = Environment(name: name, region: region, account: account, changeWindows: windows,
                                      lockTable: lockTable, assumeRole: role, terraformStates: states,
                                      cloudFormationStacks: stacks,
                                      source: SourceLocation(file: file, line: 1, column: 1))
        environment.schemaPermissions = granted
        if let grace = grace ?? nil { environment.rotationGrace = grace }
        return environment
    }

    /// `rotationGrace: 1d` (`36h`, `90m`): how long past due a rotation may be before it is overdue, from 0
    /// to 30 days.
    static func rotationGrace(_ node: Node, diagnostics: inout Diagnostics) -> TimeInterval? {
        let units: [Character: Double] = ["m": 60, "h": 3_600, "d": 86_400]
        guard case .string(let text)? = node.scalar, let unit = text.last.flatMap({ units[$0] }),
              let count = Int(text.dropLast()), (0...(30 * 86_400)).contains(Double(count) * unit) else {
            diagnostics.add(node.location, "rotationGrace takes a duration from 0d to 30d, like 1d, 36h or 90m")
            return nil
        }
        return Double(count) * unit
    }

    /// `schemaPermissions: [iam:PassRole, ...]`: the wildcards and escalating actions a registry schema's
    /// handlers ask for that this environment grants; each an IAM action as written.
    static func schemaPermissions(_ node: Node, diagnostics: inout Diagnostics) -> Set<String> {
        guard let items = node.items else {
            diagnostics.add(node.location, "schemaPermissions must be a list of IAM actions (iam:PassRole)")
            return []
        }
        var found: Set<String> = []
        for item in items {
            guard let action = item.scalar?.string, SchemaPermissions.isAction(action) else {
                diagnostics.add(item.location, "each of schemaPermissions is an IAM action, service:Action "
                    + "(iam:PassRole)")
                continue
            }
            found.insert(action)
        }
        return found
    }

    /// `assumeRole: {roleArn, externalId?, sessionName?, durationSeconds?}`.
    static func roleToAssume(_ node: Node, diagnostics: inout Diagnostics) -> RoleToAssume? {
        guard let map = MappingReader(node, what: "assumeRole", known: roleKeys, diagnostics: &diagnostics),
              let arn = map.string("roleArn", diagnostics: &diagnostics) else { return nil }
        guard RoleToAssume.isRoleArn(arn) else {
            diagnostics.add(map["roleArn"]!.location,
                            "'\(arn)' is not an IAM role ARN (arn:aws:iam::123456789012:role/name)")
            return nil
        }
        var role = RoleToAssume(roleArn: arn)
        role.externalId = map["externalId"] == nil ? nil : map.string("externalId", diagnostics: &diagnostics)
        role.sessionName = map["sessionName"] == nil ? nil : map.string("sessionName", diagnostics: &diagnostics)
        if let node = map["durationSeconds"] {
            guard let seconds = node.scalar?.int, (900...43_200).contains(seconds) else {
                diagnostics.add(node.location, "durationSeconds is a whole number of seconds from 900 to 43200")
                return nil
            }
            role.durationSeconds = seconds
        }
        return role
    }

    /// `terraform: {states: [path/to/terraform.tfstate, s3://bucket/key]}`,
    /// `cloudformation: {stacks: [tolling-vision-prod]}`: the other tools that may manage this environment.
    static func list(_ node: Node, what: String, key: String, diagnostics: inout Diagnostics) -> [String] {
        let hint = what == "terraform" ? "state files (paths or s3://bucket/key)" : "stack names"
        guard let map = MappingReader(node, what: what, known: [key], diagnostics: &diagnostics) else { return [] }
        guard let list = map[key], let items = list.items, !items.isEmpty else {
            diagnostics.add(node.location, "\(what) needs '\(key)': a list of \(hint)")
            return []
        }
        return items.compactMap { item in
            guard let text = item.scalar?.string, !text.isEmpty else {
                diagnostics.add(item.location, "each of \(what).\(key) is one of the \(hint), as a string")
                return nil
            }
            if what == "terraform", let problem = TerraformStatePath.problem(text) {
                diagnostics.add(item.location, problem)
                return nil
            }
            return text
        }
    }

    /// Twelve digits. An unquoted number is accepted by its source text, so a
    /// leading zero is never lost to integer parsing.
    static func accountId(_ node: Node, diagnostics: inout Diagnostics) -> String? {
        if case .scalar(let value, let text) = node.content {
            let digits = value.string ?? text
            if digits.count == 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) { return digits }
        }
        diagnostics.add(node.location, "account must be a 12-digit AWS account id in quotes, like \"123456789012\"")
        return nil
    }

    static func changeWindow(_ node: Node, diagnostics: inout Diagnostics) -> ChangeWindow? {
        guard let map = MappingReader(node, what: "a change window", known: windowKeys, diagnostics: &diagnostics)
        else {
            return nil
        }
        var days = Set<Weekday>()
        var ok = true
        if let list = map["days"]?.items, !list.isEmpty {
            for item in list {
                if let name = item.scalar?.string, let day = Weekday(name: name) {
                    days.insert(day)
                } else {
                    ok = false
                    let shown = item.scalar.map(\.description) ?? item.kindName
                    let names = Weekday.allCases.map(\.shortName)
                    diagnostics.add(item.location, "\(shown) is not a day name (use \(names.joined(separator: ", ")))"
                        + Suggestion.hint(for: item.scalar?.string ?? "", in: names))
                }
            }
        } else {
            ok = false
            diagnostics.add(
                map["days"]?.location ?? node.location,
                "a change window needs 'days': a non-empty list like [Sat, Sun]")
        }
        let start = time(map, "start", diagnostics: &diagnostics)
        let end = time(map, "end", diagnostics: &diagnostics)
        guard ok, let start, let end else { return nil }
        if start == end {
            diagnostics.add(map["end"]!.location, "a change window's end must differ from its start")
            return nil
        }
        return ChangeWindow(days: days, start: start, end: end)
    }

    static func time(_ map: MappingReader, _ key: String, diagnostics: inout Diagnostics) -> Int? {
        guard let text = map.string(key, diagnostics: &diagnostics) else { return nil }
        guard let minutes = ChangeWindow.minutes(from: text) else {
            diagnostics.add(map[key]!.location, "'\(text)' is not a UTC time of day as HH:MM (00:00 to 24:00)")
            return nil
        }
        return minutes
    }
}
