import BallastCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

public extension XMLTree {
    /// Elements nested deeper than this make an answer malformed: the same bound as a JSON answer's
    /// (`JSON.maxDepth`), far past any AWS answer's shape, so an answer cannot exhaust the stack
    /// (ballast's bound; the answer's size is bounded where it is read).
    static let maxDepth = JSON.maxDepth

    /// Parses an answer's bytes; nil when they are not well-formed XML, or nested past `maxDepth`.
    static func parse(_ bytes: [UInt8]) -> XMLTree? {
        let delegate = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        // No DTD, no external entities: an answer is data, never a reference to fetch.
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), !delegate.tooDeep else { return nil }
        return delegate.root
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLTree] = []
    var root: XMLTree?
    var tooDeep = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        guard stack.count < XMLTree.maxDepth else {
            tooDeep = true
            parser.abortParsing()
            return
        }
        let local = name.split(separator: ":").last.map(String.init) ?? name
        stack.append(XMLTree(name: local, text: "", children: []))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !stack.isEmpty { stack[stack.count - 1].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard !tooDeep, var node = stack.popLast() else { return }
        // Whitespace between child elements is layout; a leaf's text is a value, kept
        // exactly (an alarm description ending in a newline must not drift forever).
        if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }
}
