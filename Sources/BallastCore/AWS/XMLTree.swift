/// A parsed XML element: name (without namespace prefix), text, children.
public struct XMLTree: Sendable {
    public var name: String
    public var text: String
    public var children: [XMLTree]

    public init(name: String, text: String, children: [XMLTree]) {
        self.name = name
        self.text = text
        self.children = children
    }

    public func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Follows a path of child names: `node["DescribeLogGroupsResult", "NextToken"]`.
    public subscript(path: String...) -> XMLTree? {
        var node: XMLTree? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// First descendant (depth-first) with this name, for error envelopes that vary.
    public func first(_ name: String) -> XMLTree? {
        for c in children {
            if c.name == name { return c }
            if let found = c.first(name) { return found }
        }
        return nil
    }
}
