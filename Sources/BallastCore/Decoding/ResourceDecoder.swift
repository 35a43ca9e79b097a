/// Decodes resource documents (`resources: [...]`) against the kinds' schemas, and hands each resource
/// its kind: the one place a resource's type name is looked up.
public struct ResourceDecoder: Sendable {
    static let documentKeys = ["resources"]
    static let resourceKeys = ["type", "id", "ref", "region", "properties"]
    static let refKeys = ["stack", "logicalId", "output"]
    static let rangeKeys = ["within", "atLeast", "atMost"]

    /// The loaded revision's kinds, by CloudFormation type.
    let kinds: [String: AnyResourceKind]

    public init(kinds: [AnyResourceKind]) {
        self.kinds = Dictionary(kinds.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func decode(document: Node, environment: String, defaultRegion: String,
                       diagnostics: inout Diagnostics) -> [DesiredResource] {
        if case .scalar(.null, _) = document.content { return [] }  // an empty file
        guard let map = MappingReader(document, what: "a resource document", known: Self.documentKeys,
                                      diagnostics: &diagnostics) else { return [] }
        guard let list = map["resources"] else {
            diagnostics.add(document.location, "a resource document needs a 'resources:' list")
            return []
        }
        if case .scalar(.null, _) = list.content { return [] }
        guard let items = list.items else {
            diagnostics.add(list.location, "'resources' must be a list, found \(list.kindName)")
            return []
        }
        return items.compactMap {
            resource($0, environment: environment, defaultRegion: defaultRegion, diagnostics: &diagnostics)
        }
    }

    func resource(
        _ node: Node, environment: String, defaultRegion: String,
        diagnostics: inout Diagnostics
    ) -> DesiredResource? {
        guard let map = MappingReader(node, what: "a resource", known: Self.resourceKeys, diagnostics: &diagnostics)
        else {
            return nil
        }
        let before = diagnostics.all.count
        guard let type = map.string("type", diagnostics: &diagnostics) else { return nil }
        guard let kind = kinds[type] else {
            let hint = Suggestion.hint(for: type, in: kinds.keys.sorted())
            // Any other CloudFormation type is read through Cloud Control once its schema is in the repository.
            let registry = hint.isEmpty && RegistrySchema.isTypeName(type)
                ? "; no native kind, and no \(RegistrySchema.path(for: type)) for Cloud Control "
                    + "(`ballast schema fetch \(type)` writes it)" : ""
            diagnostics.add(map["type"]!.location,
                            "unknown resource type '\(UntrustedText.line(type))'" + hint + registry)
            return nil
        }
        let schema = kind.schema.resource
        let identity = self.identity(map, schema: schema, diagnostics: &diagnostics)
        var region = defaultRegion
        if map["region"] != nil, let r = map.string("region", diagnostics: &diagnostics) {
            if RegionName.isValid(r) { region = r } else {
                diagnostics.add(map["region"]!.location, "'\(r)' is not an AWS region name (like us-east-1)")
            }
        }
        var properties: [String: Expectation] = [:]
        var sources: [String: SourceLocation] = [:]
        if let propertiesNode = map["properties"] {
            if let fields = object(propertiesNode, schema.properties, path: "", what: "\(type) properties",
                                   unsettable: schema.unsettable, sources: &sources, diagnostics: &diagnostics) {
                properties = fields
            }
        } else {
            diagnostics.add(node.location, "a resource needs 'properties': the settings this repository owns")
        }
        // Cross-property checks run on whatever decoded, so one run reports every mistake.
        let resource = DesiredResource(type: type, identity: identity ?? .id(""), region: region,
                                       environment: environment, properties: properties,
                                       source: node.location, propertySources: sources, kind: kind)
        diagnostics.add(contentsOf: schema.checks(resource))
        return identity != nil && diagnostics.all.count == before ? resource : nil
    }

    func identity(_ map: MappingReader, schema: ResourceSchema, diagnostics: inout Diagnostics) -> ResourceIdentity? {
        switch (map["id"], map["ref"]) {
        case (nil, nil):
            diagnostics.add(map.node.location, "a resource needs 'id' (its physical id) or 'ref: {stack, logicalId}'")
            return nil
        case (_?, _?):
            diagnostics.add(map.entry("ref")!.keyLocation, "give either 'id' or 'ref', not both")
            return nil
        case (let idNode?, nil):
            guard let id = map.string("id", diagnostics: &diagnostics) else { return nil }
            if let format = schema.idFormat, !format.matches(id) {
                diagnostics.add(
                    idNode.location, "'\(id)' is not a valid id for \(schema.type) (expected \(format.description))")
                return nil
            }
            return .id(id)
        case (nil, let refNode?):
            guard let ref = MappingReader(refNode, what: "ref", known: Self.refKeys, diagnostics: &diagnostics),
                  let stack = ref.string("stack", diagnostics: &diagnostics) else { return nil }
            switch (ref["logicalId"], ref["output"]) {
            case (_?, _?):
                diagnostics.add(ref.entry("output")!.keyLocation,
                                "give either 'logicalId' or 'output' in a ref, not both")
                return nil
            case (nil, _?):
                guard let output = ref.string("output", diagnostics: &diagnostics) else { return nil }
                return .output(stack: stack, key: output)
            default:
                guard let logicalId = ref.string("logicalId", diagnostics: &diagnostics) else { return nil }
                return .ref(stack: stack, logicalId: logicalId)
            }
        }
    }

    // MARK: Property values

    func object(_ node: Node, _ schema: ObjectSchema, path: String, what: String, unsettable: [String: String] = [:],
                sources: inout [String: SourceLocation], diagnostics: inout Diagnostics) -> [String: Expectation]? {
        guard let entries = node.entries else {
            diagnostics.add(node.location, "\(what) must be a mapping, found \(node.kindName)")
            return nil
        }
        var fields: [String: Expectation] = [:]
        for entry in entries {
            let fieldPath = PropertyPath.appending(path, entry.key)
            guard !entry.key.isEmpty else {
                // As a JSON Pointer the empty name is a segment of its own; a patch with `""` for a
                // path would be the whole document. No AWS property is named so.
                diagnostics.add(entry.keyLocation, "an empty property name in \(what): name the property")
                continue
            }
            guard let type = schema[entry.key] else {
                diagnostics.add(entry.keyLocation, "unknown property '\(entry.key)' in \(what)"
                    + Suggestion.hint(for: entry.key, in: schema.names))
                continue
            }
            sources[fieldPath] = entry.keyLocation
            if let e = expectation(entry.value, type, path: fieldPath, unsettable: unsettable, sources: &sources,
                                   diagnostics: &diagnostics) {
                fields[entry.key] = e
            }
        }
        return fields
    }

    func expectation(_ node: Node, _ type: ValueType, path: String, unsettable: [String: String] = [:],
                     sources: inout [String: SourceLocation], diagnostics: inout Diagnostics) -> Expectation? {
        let name = Check.name(path)
        if case .scalar(.null, let text) = node.content {
            // An explicit `null` where AWS may leave the property unset: it must be unset. An empty value
            // (`RetentionInDays:`) is not explicit, so it is still a mistake.
            if unsettable[path] != nil, ["null", "~", "Null", "NULL"].contains(text) { return .exact(.null) }
            let hint = unsettable[path] == nil ? "" : " (write `null` to say it must be unset)"
            diagnostics.add(node.location, "\(name) has no value; remove it to leave the property unmanaged" + hint)
            return nil
        }
        if case .object(let schema) = type {
            return object(node, schema, path: path, what: name, unsettable: unsettable, sources: &sources,
                          diagnostics: &diagnostics).map(Expectation.object)
        }
        // A mapping where the schema takes any value (a registry schema's `["object", "string"]`) is owned
        // field by field, as an object is: the fields it does not name are AWS's.
        if case .any = type, let entries = node.entries, !entries.isEmpty {
            let schema = ObjectSchema(entries.map { ($0.key, ValueType.any) })
            return object(node, schema, path: path, what: name, sources: &sources, diagnostics: &diagnostics)
                .map(Expectation.object)
        }
        if let entries = node.entries,
            entries.contains(where: { Self.rangeKeys.contains($0.key) || $0.key.first?.isLowercase == true }),
            !isMap(type) {
            guard type.acceptsRanges else {
                diagnostics.add(
                    node.location, "\(name) does not accept a range (within/atLeast/atMost apply to numbers)")
                return nil
            }
            return range(node, type, name: name, diagnostics: &diagnostics).map(Expectation.range)
        }
        // A list's entries keep their lines, so a check on one entry (a repeated key) can name it.
        for (index, item) in (node.items ?? []).enumerated() {
            sources[PropertyPath.appending(path, index: index)] = item.location
        }
        return value(node, type, name: name, diagnostics: &diagnostics).map(Expectation.exact)
    }

    private func isMap(_ type: ValueType) -> Bool {
        switch type {
        case .map, .any: return true
        default: return false
        }
    }

    func range(_ node: Node, _ type: ValueType, name: String, diagnostics: inout Diagnostics) -> ValueRange? {
        guard let map = MappingReader(node, what: "a range", known: Self.rangeKeys, diagnostics: &diagnostics) else {
            return nil
        }
        let before = diagnostics.all.count
        var lower: Value?, upper: Value?
        if let within = map["within"] {
            if map["atLeast"] != nil || map["atMost"] != nil {
                diagnostics.add(within.location, "use 'within' alone, or 'atLeast'/'atMost'")
            }
            guard let pair = within.items, pair.count == 2 else {
                diagnostics.add(within.location, "'within' takes two bounds: [lowest, highest]")
                return nil
            }
            lower = value(pair[0], type, name: name, diagnostics: &diagnostics)
            upper = value(pair[1], type, name: name, diagnostics: &diagnostics)
        } else {
            lower = map["atLeast"].flatMap { value($0, type, name: name, diagnostics: &diagnostics) }
            upper = map["atMost"].flatMap { value($0, type, name: name, diagnostics: &diagnostics) }
        }
        guard diagnostics.all.count == before else { return nil }
        if lower == nil, upper == nil {
            diagnostics.add(node.location, "a range needs 'within', 'atLeast' or 'atMost'")
            return nil
        }
        if let lo = lower?.number, let hi = upper?.number, lo > hi {
            diagnostics.add(
                node.location, "\(name): the range's lowest bound \(lower!) is above its highest \(upper!)")
            return nil
        }
        return ValueRange(lower: lower, upper: upper)
    }

    /// Checks one fixed value against its type.
    func value(_ node: Node, _ type: ValueType, name: String, diagnostics: inout Diagnostics) -> Value? {
        // A scalar is checked here; lists, maps and objects check their items as this recurses into them.
        // Only `.any`, taken whole, is walked for one.
        let whole: Node? = if case .any = type { node } else if case .scalar = node.content { node } else { nil }
        if let whole, let bad = Self.nonFinite(in: whole) {
            // YAML's `.nan` and `.inf` are numbers to YAML, not to any AWS API (JSON has neither).
            diagnostics.add(bad.location, "\(name) must be a finite number, found \(bad.text): AWS takes no "
                + "NaN or infinity")
            return nil
        }
        func mismatch(_ extra: String = "") -> Value? {
            let found = node.scalar.map { "\($0.typeName) \($0)" } ?? node.kindName
            diagnostics.add(node.location, "\(name) must be \(type.name), found \(found)\(extra)")
            return nil
        }
        switch type {
        case .any:
            return node.value
        case .integer(let allowed):
            guard case .int(let i)? = node.scalar else { return mismatch() }
            return allowed.contains(i) ? .int(i) : mismatch()
        case .integerIn(let allowed):
            guard case .int(let i)? = node.scalar else { return mismatch() }
            if allowed.contains(i) { return .int(i) }
            let nearest = allowed.min { abs($0 - i) < abs($1 - i) }!
            diagnostics.add(
                node.location,
                "\(name) must be one of \(allowed.map(String.init).joined(separator: ", ")); "
                    + "\(i) is not (nearest: \(nearest))")
            return nil
        case .number(let allowed):
            guard let v = node.scalar, let x = v.number else { return mismatch() }
            return allowed.contains(x) ? v : mismatch()
        case .boolean:
            guard case .bool(let b)? = node.scalar else {
                if case .string(let s)? = node.scalar, ["yes", "no", "on", "off", "y", "n"].contains(s.lowercased()) {
                    return mismatch(" (YAML 1.2: only true and false are booleans)")
                }
                return mismatch()
            }
            return .bool(b)
        case .string(let format):
            guard case .string(let s)? = node.scalar else {
                return mismatch(node.scalar != nil ? " (quote it to make it a string)" : "")
            }
            if let format, !format.matches(s) { return mismatch() }
            return .string(s)
        case .oneOf(let options):
            guard case .string(let s)? = node.scalar else { return mismatch() }
            guard options.contains(s) else { return mismatch(Suggestion.hint(for: s, in: options)) }
            return .string(s)
        case .list(let element, let maxCount):
            guard let items = node.items else { return mismatch() }
            if let maxCount, items.count > maxCount {
                diagnostics.add(node.location, "\(name) takes at most \(maxCount) entries, found \(items.count)")
                return nil
            }
            let values = items.compactMap { value($0, element, name: name, diagnostics: &diagnostics) }
            return values.count == items.count ? .list(values) : nil
        case .map(let element):
            guard let entries = node.entries else { return mismatch() }
            var result: [String: Value] = [:]
            for entry in entries {
                guard let v = value(entry.value, element, name: "\(name).\(entry.key)", diagnostics: &diagnostics)
                else {
                    return nil
                }
                result[entry.key] = v
            }
            return .map(result)
        case .object(let schema):
            // Objects inside lists (lifecycle rules) are plain values checked field by field.
            guard let reader = MappingReader(node, what: name, known: schema.names, diagnostics: &diagnostics) else {
                return nil
            }
            var result: [String: Value] = [:]
            for entry in reader.node.entries! {
                guard let fieldType = schema[entry.key] else { return nil }
                guard let v = value(entry.value, fieldType, name: "\(name).\(entry.key)", diagnostics: &diagnostics)
                else {
                    return nil
                }
                result[entry.key] = v
            }
            return .map(result)
        }
    }

    /// The first NaN or infinity in a node, at any depth, with where it was written.
    static func nonFinite(in node: Node) -> (location: SourceLocation, text: String)? {
        switch node.content {
        case .scalar(.double(let d), let text): return d.isFinite ? nil : (node.location, text)
        case .scalar: return nil
        case .sequence(let items): return items.lazy.compactMap(nonFinite).first
        case .mapping(let entries): return entries.lazy.compactMap { nonFinite(in: $0.value) }.first
        }
    }
}
