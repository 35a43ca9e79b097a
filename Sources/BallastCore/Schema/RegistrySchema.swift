import FoundationEssentials

/// A CloudFormation registry resource schema (`DescribeType`'s `Schema`), as the repository keeps
/// it in `schemas/AWS-Kinesis-Stream.json`: what a type with no native kind may say, which of its
/// properties ballast may change, how Cloud Control names one resource, and the permissions its
/// handlers need. Read from repository text, so untrusted: its size, nesting and `$ref` depth
/// are bounded, and nothing in it is ever a path or a command.
public struct RegistrySchema: Sendable {
    /// `AWS::Kinesis::Stream`.
    public let typeName: String
    /// Where it was read (`schemas/AWS-Kinesis-Stream.json`).
    public let file: String
    /// Every property, JSON Schema turned into ballast's types.
    public let properties: ObjectSchema
    /// The primary identifier's properties, in order (`Name`; several are joined with `|`).
    public let primaryIdentifier: [String]
    /// Property paths as the desired state names them (`/Arn`, `/StreamModeDetails/StreamMode`).
    public let readOnly: Set<String>
    public let createOnly: Set<String>
    public let writeOnly: Set<String>
    /// Each handler's permissions (`read`, `update`, `list`); nil when the schema carries no
    /// `handlers` (a copy that stripped them, such as cfn-lint's), so nothing is known of them.
    public let handlers: [String: [String]]?
    /// What converting it left unchecked (a pattern with a back-reference), for the user to know.
    public let notes: [String]

    /// Whether Cloud Control can update the type: the registry gives an updatable type an
    /// `update` handler. A schema without handlers says nothing either way.
    public var updatable: Bool { handlers.map { $0["update"] != nil } ?? true }

    /// `AWS::Kinesis::Stream` -> `schemas/AWS-Kinesis-Stream.json` (spec section 7).
    public static func path(for typeName: String) -> String {
        folder + "/" + typeName.replacing("::", with: "-") + ".json"
    }

    public static let folder = "schemas"
    /// The longest schema the registry returns: `DescribeType`'s `Schema` (botocore's cloudformation
    /// model, shape `TypeSchema`: at most 16,777,216 characters).
    public static let maxBytes = 16 << 20
    /// ballast's bounds on converting a schema (repository text): nesting deeper than this takes any
    /// value; more nodes than this, or longer than this, and the schema is refused as too large.
    /// AWS's largest schemas (`AWS::WAFv2::RuleGroup`, `AWS::IoTTwinMaker::ComponentType`) convert to a
    /// few thousand nodes with definitions shared.
    static let maxDepth = 64
    public static let maxNodes = 200_000
    public static let maxConversion = Duration.seconds(2)
    /// ballast's bound: a value longer than this (in UTF-8 bytes) is not matched against a pattern.
    public static let maxPatternInput = 65_536

    /// `AWS::Service::Resource`: three parts of letters and digits, as the registry names types.
    public static func isTypeName(_ text: String) -> Bool {
        let parts = text.components(separatedBy: "::")
        return parts.count == 3 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 64 && part.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            }
        }
    }

    public init(typeName: String, file: String, properties: ObjectSchema, primaryIdentifier: [String],
                readOnly: Set<String>, createOnly: Set<String>, writeOnly: Set<String>, handlers: [String: [String]]?,
                notes: [String] = []) {
        self.typeName = typeName
        self.file = file
        self.properties = properties
        self.primaryIdentifier = primaryIdentifier
        self.readOnly = readOnly
        self.createOnly = createOnly
        self.writeOnly = writeOnly
        self.handlers = handlers
        self.notes = notes
    }

    /// Parses a schema file; a mistake names the file, and the line and column where JSON breaks.
    public static func parse(_ bytes: [UInt8], file: String) throws(Diagnostic) -> RegistrySchema {
        guard bytes.count <= maxBytes else {
            throw Diagnostic(SourceLocation(file: file), "\(bytes.count) bytes, over the \(maxBytes)-byte limit")
        }
        let document: Value
        do { document = try JSON.parse(bytes) } catch {
            throw Diagnostic(location(in: bytes, offset: error.offset, file: file), "invalid JSON: \(error.message)")
        }
        guard let typeName = document["typeName"]?.string, isTypeName(typeName) else {
            throw Diagnostic(SourceLocation(file: file), "not a CloudFormation resource schema: no `typeName` "
                + "of the form AWS::Service::Resource")
        }
        guard path(for: typeName) == file else {
            throw Diagnostic(SourceLocation(file: file), "holds the schema of \(typeName); it belongs in "
                + path(for: typeName))
        }
        guard case .map(let fields)? = document["properties"] else {
            throw Diagnostic(SourceLocation(file: file), "the schema of \(typeName) has no `properties`")
        }
        let converter = Converter(definitions: document["definitions"]?.mapValue ?? [:], file: file)
        var converted: [(String, ValueType)] = []
        for name in fields.keys.sorted() {
            guard !name.isEmpty else {
                throw Diagnostic(SourceLocation(file: file), "the schema of \(typeName) has a property with an "
                    + "empty name")
            }
            converted.append((name, try converter.type(of: fields[name]!, depth: 0)))
        }
        let properties = ObjectSchema(converted)
        let identifier = (document["primaryIdentifier"]?.list ?? []).compactMap { $0.string.map(propertyPath) }
            .map(PropertyPath.segments)
        guard !identifier.isEmpty, identifier.allSatisfy({ $0.count == 1 && fields[$0[0]] != nil }) else {
            throw Diagnostic(SourceLocation(file: file), "the schema of \(typeName) names no primary identifier "
                + "among its properties")
        }
        func paths(_ key: String) -> Set<String> {
            Set((document[key]?.list ?? []).compactMap { $0.string.map(propertyPath) })
        }
        var handlers: [String: [String]]?
        if case .map(let declared)? = document["handlers"] {
            handlers = declared.mapValues { ($0["permissions"]?.list ?? []).compactMap(\.string) }
        }
        return RegistrySchema(typeName: typeName, file: file, properties: properties,
                              primaryIdentifier: identifier.map { $0[0] },
                              readOnly: paths("readOnlyProperties"), createOnly: paths("createOnlyProperties"),
                              writeOnly: paths("writeOnlyProperties"), handlers: handlers,
                              notes: converter.uncheckedNote)
    }

    /// `/properties/Tags/*/Key` -> `/Tags`: a JSON pointer into the schema as a desired-state path
    /// (a pointer too: `/properties/a~1b` stays `/a~1b`, one property), cut where it enters a list
    /// (ballast owns a list whole).
    static func propertyPath(_ pointer: String) -> String {
        var parts = PropertyPath.segments(pointer)
        if parts.first == "properties" { parts.removeFirst() }
        if let star = parts.firstIndex(of: "*") { parts = Array(parts[..<star]) }
        return PropertyPath.join(parts)
    }

    /// Why ballast cannot own a declared path, or nil: a read-only, create-only or write-only
    /// property, or one inside such an object.
    public func refusal(of path: String) -> String? {
        func covers(_ set: Set<String>) -> String? {
            set.first { path == $0 || path.hasPrefix($0 + "/") }
        }
        if let property = covers(readOnly) {
            return "\(Check.name(property)) is read-only in \(typeName)'s schema: AWS sets it"
        }
        if let property = covers(createOnly) {
            return "\(Check.name(property)) is create-only in \(typeName)'s schema: changing it replaces the "
                + "resource, which ballast never does"
        }
        if let property = covers(writeOnly) {
            return "\(Check.name(property)) is write-only in \(typeName)'s schema: Cloud Control never returns it, "
                + "so it cannot be compared"
        }
        return nil
    }

    /// Live properties without those ballast cannot own (read-only, create-only, write-only), at
    /// any depth: what `import` adopts.
    public func ownable(_ live: [String: Value]) -> [String: Value] {
        var kept = Value.map(live)
        for path in readOnly.union(createOnly).union(writeOnly) {
            kept = Self.removing(PropertyPath.segments(path)[...], from: kept)
        }
        if case .map(let fields) = kept { return fields }
        return live
    }

    static func removing(_ parts: ArraySlice<String>, from value: Value) -> Value {
        guard let first = parts.first, case .map(var fields) = value else { return value }
        if parts.count == 1 {
            fields[first] = nil
        } else if let inner = fields[first] {
            fields[first] = removing(parts.dropFirst(), from: inner)
        }
        return .map(fields)
    }

    static func location(in bytes: [UInt8], offset: Int, file: String) -> SourceLocation {
        let before = bytes.prefix(offset)
        let line = before.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
        return SourceLocation(file: file, line: line, column: column)
    }

    /// JSON Schema (the subset resource schemas use) to ballast's value types. Each definition is
    /// converted once and shared wherever it is referred to (a definition referring four times to the
    /// next is not unrolled), a definition that refers back to itself takes any value there, and the
    /// whole conversion is bounded in nodes and time: a schema is repository text.
    final class Converter {
        let definitions: [String: Value]
        let file: String
        private var converted: [String: ValueType] = [:]
        private var converting: Set<String> = []
        private var nodes = 0
        private let started = ContinuousClock.now
        /// Patterns left out of the check, with why (said as notes, never as a pass).
        private var unchecked: [String] = []
        private var uncheckedCount = 0

        /// One note for the patterns left out of the check, if any.
        var uncheckedNote: [String] {
            guard let first = unchecked.first else { return [] }
            return ["\(file): \(uncheckedCount) pattern\(uncheckedCount == 1 ? "" : "s") not checked (ballast matches "
                + "patterns in linear time, with no back-reference, lookaround or inline flag); \(first)"]
        }

        init(definitions: [String: Value], file: String) {
            self.definitions = definitions
            self.file = file
        }

        func count() throws(Diagnostic) {
            nodes += 1
            guard nodes <= RegistrySchema.maxNodes else {
                throw Diagnostic(SourceLocation(file: file), "the schema converts to over \(RegistrySchema.maxNodes) "
                    + "nodes: too large to check (ballast's bound)")
            }
            if nodes % 1_024 == 0, ContinuousClock.now - started > RegistrySchema.maxConversion {
                throw Diagnostic(SourceLocation(file: file), "the schema took over \(RegistrySchema.maxConversion) "
                    + "to convert: too large to check (ballast's bound)")
            }
        }

        func type(of node: Value, depth: Int) throws(Diagnostic) -> ValueType {
            try count()
            guard depth <= RegistrySchema.maxDepth else { return .any }
            if let reference = node["$ref"]?.string {
                let prefix = "#/definitions/"
                guard reference.hasPrefix(prefix) else { return .any }
                let name = String(reference.dropFirst(prefix.count))
                if let done = converted[name] { return done }
                guard let target = definitions[name], !converting.contains(name) else { return .any }
                converting.insert(name)
                let result = try type(of: target, depth: depth + 1)
                converting.remove(name)
                converted[name] = result
                return result
            }
            let declared: [String]
            switch node["type"] {
            case .string(let one)?: declared = [one]
            case .list(let several)?: declared = several.compactMap(\.string)
            default: declared = node["properties"] != nil ? ["object"] : []
            }
            guard declared.count == 1 else {
                // `["object", "string"]` (a policy given as text or as a document): any JSON value.
                return .any
            }
            switch declared[0] {
            case "integer": return integer(node)
            case "number": return number(node)
            case "boolean": return .boolean
            case "string": return string(node)
            case "array":
                let element = try node["items"].map { item throws(Diagnostic) in try type(of: item, depth: depth + 1) }
                return .list(element ?? .any, maxCount: node["maxItems"]?.int)
            case "object":
                if case .map(let fields)? = node["properties"] {
                    var converted: [(String, ValueType)] = []
                    for name in fields.keys.sorted() {
                        converted.append((name, try type(of: fields[name]!, depth: depth + 1)))
                    }
                    return .object(ObjectSchema(converted))
                }
                if case .map(let patterns)? = node["patternProperties"], let first = patterns.values.first {
                    return .map(try type(of: first, depth: depth + 1))
                }
                if case .map = node["additionalProperties"] {
                    return .map(try type(of: node["additionalProperties"]!, depth: depth + 1))
                }
                return .map(.any)
            default: return .any
            }
        }

        func integer(_ node: Value) -> ValueType {
            let lower = node["minimum"]?.number.map { Int(exactly: $0.rounded(.up)) ?? Int.min } ?? Int.min
            let upper = node["maximum"]?.number.map { Int(exactly: $0.rounded(.down)) ?? Int.max } ?? Int.max
            return lower <= upper ? .integer(lower...upper) : .integer(Int.min...Int.max)
        }

        func number(_ node: Value) -> ValueType {
            let lower = node["minimum"]?.number.flatMap { $0.isFinite ? $0 : nil } ?? -Double.greatestFiniteMagnitude
            let upper = node["maximum"]?.number.flatMap { $0.isFinite ? $0 : nil } ?? Double.greatestFiniteMagnitude
            return lower <= upper ? .number(lower...upper) : .number
        }

        func string(_ node: Value) -> ValueType {
            if let options = node["enum"]?.list?.compactMap(\.string), !options.isEmpty { return .oneOf(options) }
            let minimum = node["minLength"]?.int, maximum = node["maxLength"]?.int
            var compiled: LinearPattern?
            if let source = node["pattern"]?.string {
                do throws(LinearPattern.Unsupported) { compiled = try LinearPattern(source) } catch {
                    // Left out of the check and said so, not guessed at.
                    uncheckedCount += 1
                    if unchecked.isEmpty {
                        unchecked = ["the first, \(UntrustedText.line(String(source.prefix(80)))), has \(error)"]
                    }
                }
            }
            let pattern = compiled
            guard minimum != nil || maximum != nil || pattern != nil else { return .text }
            var said: [String] = []
            if let minimum, let maximum { said.append("\(minimum) to \(maximum) characters") } else if let minimum {
                said.append("at least \(minimum) characters")
            } else if let maximum { said.append("at most \(maximum) characters") }
            if let pattern { said.append("matching \(pattern.source)") }
            return .string(StringFormat(said.joined(separator: ", ")) { text in
                if let minimum, text.count < minimum { return false }
                if let maximum, text.count > maximum { return false }
                // A value too long to match in reasonable time is not pattern-checked (ballast's bound).
                guard let pattern, text.utf8.count <= RegistrySchema.maxPatternInput else { return true }
                return pattern.matches(text)
            })
        }
    }
}

extension Value {
    var mapValue: [String: Value]? {
        if case .map(let fields) = self { return fields }
        return nil
    }
}
