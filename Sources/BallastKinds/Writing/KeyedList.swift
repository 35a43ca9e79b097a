import BallastCore

/// A list the repository owns entry by entry (spec section 7): each entry is matched to a live one
/// by its key fields (a WAF rule's `Name`, a budget notification's type, comparison and
/// threshold); live entries the repository does not name are left alone, and fields an owned
/// entry does not name are kept as they are.
struct KeyedList: Sendable {
    /// The fields whose values together identify an entry; a nested field as a path
    /// (`Notification/Threshold`).
    let key: [String]
    /// Fields holding a map of exactly one member (a WAF `Action` is `Allow`, `Block`, `Count`, ...):
    /// a desired member other than the live one replaces the map rather than joining it.
    let exclusive: Set<String>

    init(key: [String], exclusive: Set<String> = []) {
        self.key = key
        self.exclusive = exclusive
    }

    /// An entry's key, when it has every key field.
    func identity(of entry: Value) -> [Value]? {
        let values = key.map { path in
            path.split(separator: "/").reduce(Optional(entry)) { value, field in value?[String(field)] }
        }
        return values.contains(where: { $0 == nil }) ? nil : values.compactMap { $0 }
    }

    /// Entries of the desired list at `path` that repeat an earlier entry's key, each at its line: two
    /// entries for one live entry can never both hold (a write would make one, the next pass the other).
    func duplicates(in resource: DesiredResource, at path: String, what: String) -> [Diagnostic] {
        guard case .list(let entries)? = resource.exactValue(at: path) else { return [] }
        var first: [[Value]: Int] = [:]
        var found: [Diagnostic] = []
        for (index, entry) in entries.enumerated() {
            guard let identity = identity(of: entry) else { continue }
            if let earlier = first[identity] {
                let fields = key.map { $0.replacing("/", with: ".") }
                let named = zip(fields, identity).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                found.append(Diagnostic(resource.location(of: PropertyPath.appending(path, index: index)),
                                        "\(what) \(index + 1) repeats \(what) \(earlier + 1) (\(named)): ballast owns "
                                            + "each by \(fields.joined(separator: " + ")), so each may be named once"))
            } else {
                first[identity] = index
            }
        }
        return found
    }

    /// The live entries as the desired ones see them, in desired order: each cut to the fields its
    /// desired entry names; an empty map where live has no such entry.
    func owned(_ desired: [Value], live: [Value]) -> [Value] {
        let index = indexed(live)
        return desired.map { entry in
            guard let identity = identity(of: entry), let match = index[identity] else { return .map([:]) }
            return cut(match, to: entry)
        }
    }

    /// The live list with each desired entry written into its match; entries with no match are
    /// returned apart (whether they may be added is the kind's to say).
    func merged(live: [Value], desired: [Value]) -> (entries: [Value], unmatched: [Value]) {
        var entries = live
        let keyed = live.enumerated().compactMap { offset, entry in identity(of: entry).map { ($0, offset) } }
        let index = Dictionary(keyed, uniquingKeysWith: { first, _ in first })
        var unmatched: [Value] = []
        for entry in desired {
            guard let identity = identity(of: entry), let offset = index[identity] else {
                unmatched.append(entry)
                continue
            }
            entries[offset] = merge(entry, into: entries[offset])
        }
        return (entries, unmatched)
    }

    private func indexed(_ live: [Value]) -> [[Value]: Value] {
        Dictionary(live.compactMap { entry in identity(of: entry).map { ($0, entry) } },
                   uniquingKeysWith: { first, _ in first })
    }

    /// `live` with `desired`'s fields written in, maps merged field by field.
    func merge(_ desired: Value, into live: Value, field: String? = nil) -> Value {
        guard case .map(let want) = desired, case .map(var have) = live else { return desired }
        if let field, exclusive.contains(field), Set(want.keys) != Set(have.keys) { return desired }
        for (name, value) in want {
            have[name] = have[name].map { merge(value, into: $0, field: name) } ?? value
        }
        return .map(have)
    }

    /// `live` cut to the fields `desired` names, map by map; anything else is compared whole. An
    /// exclusive field whose live member is another than the desired one keeps its member's name
    /// (its settings cut away): `{Allow: {}}` against a desired `{Block: {}}` shows both.
    func cut(_ live: Value, to desired: Value, field: String? = nil) -> Value {
        guard case .map(let want) = desired, case .map(let have) = live else { return live }
        if let field, exclusive.contains(field), Set(want.keys) != Set(have.keys) {
            return .map(have.mapValues { _ in .map([:]) })
        }
        var kept: [String: Value] = [:]
        for (name, value) in want {
            if let present = have[name] { kept[name] = cut(present, to: value, field: name) }
        }
        return .map(kept)
    }
}

extension Value {
    /// The value without its JSON nulls, at any depth (what an API answers as null it did not set).
    var droppingNulls: Value {
        switch self {
        case .map(let fields): .map(fields.filter { $0.value != .null }.mapValues(\.droppingNulls))
        case .list(let items): .list(items.filter { $0 != .null }.map(\.droppingNulls))
        default: self
        }
    }
}
