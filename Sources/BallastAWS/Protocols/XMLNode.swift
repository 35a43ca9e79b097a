import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: name (without namespace prefix), text, children.
public struct XMLNode: Sendable {
    public var name: String
    public var text: String
    public var children: [XMLNode]

    public init(name: String, text: String, children: [XMLNode]) {
        self.name = name
        self.text = text
        self.children = children
    }

    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// Follows a path of child names: `node["DescribeLogGroupsResult", "NextToken"]`.
    public subscript(path: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in path { node = node?.child(name) }
        return node
    }

    /// First descendant (depth-first) with this name, for error envelopes that vary.
    public func first(_ name: String) -> XMLNode? {
        for c in children {
            if c.name == name { return c }
            if let found = c.first(name) { return found }
        }
        return nil
    }

    public static func parse(_ bytes: [UInt8]) -> XMLNode? {
        let delegate = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        guard parser.parse() else { return nil }
        return delegate.root
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        let local = name.split(separator: ":").last.map(String.init) ?? name
        stack.append(XMLNode(name: local, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard var node = stack.popLast() else { return }
        // Whitespace between child elements is layout; a leaf's text is a value, kept
        // exactly (an alarm description ending in a newline must not drift forever).
        if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }
}
