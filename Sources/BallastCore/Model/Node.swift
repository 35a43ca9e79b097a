/// A parsed document tree that remembers where every node was written.
/// The YAML adapter builds it (scalars already resolved to typed values);
/// the core decodes it without knowing YAML.
public struct Node: Sendable {
    public struct Entry: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: Node

        public init(key: String, keyLocation: SourceLocation, value: Node) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public enum Content: Sendable {
        /// A scalar's typed value and its source text as written.
        case scalar(Value, text: String)
        case sequence([Node])
        /// Mapping entries in document order; keys are unique (the parser checks).
        case mapping([Entry])
    }

    public var content: Content
    public var tag: String?
    public var location: SourceLocation
    /// Where a scalar ends (just past its last character), and how it was written: what an edit
    /// that replaces it in place needs.
    public var end: SourceLocation?
    public var style: ScalarStyle?
    /// Anchored (`&defaults`) or reached through an alias (`*defaults`): the same text stands for
    /// several places, so changing it changes all of them.
    public var shared = false

    /// How a scalar was written.
    public enum ScalarStyle: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public init(_ content: Content, tag: String? = nil, location: SourceLocation) {
        self.content = content
        self.tag = tag
        self.location = location
    }

    public var entries: [Entry]? {
        if case .mapping(let e) = content { return e }
        return nil
    }

    public var items: [Node]? {
        if case .sequence(let n) = content { return n }
        return nil
    }

    public var scalar: Value? {
        if case .scalar(let v, _) = content { return v }
        return nil
    }

    public subscript(key: String) -> Node? {
        entries?.first { $0.key == key }?.value
    }

    /// The plain value of this subtree (mappings become maps, sequences lists).
    public var value: Value {
        switch content {
        case .scalar(let v, _): return v
        case .sequence(let items): return .list(items.map(\.value))
        case .mapping(let entries):
            return .map(Dictionary(entries.map { ($0.key, $0.value.value) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    /// What kind of node this is, in words for messages.
    public var kindName: String {
        switch content {
        case .scalar(let v, _): return v.typeName
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }
}
