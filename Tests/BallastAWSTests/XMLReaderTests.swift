import BallastAWS
import BallastCore
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// ballast reads AWS's XML answers with its own reader (Foundation's parser would link ICU and libxml2 into
/// the binary). Judged against libxml2 through Foundation's `XMLParser` on generated documents, and on what
/// it must refuse.
@Suite struct XMLReaderTests {
    /// libxml2's reading of the same bytes into the same tree, as ballast read answers before its own reader.
    static func reference(_ bytes: [UInt8]) -> XMLTree? {
        final class Builder: NSObject, XMLParserDelegate {
            var stack: [XMLTree] = []
            var root: XMLTree?
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String] = [:]) {
                stack.append(XMLTree(name: name.split(separator: ":").last.map(String.init) ?? name, text: "",
                                     children: []))
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) {
                if !stack.isEmpty { stack[stack.count - 1].text += string }
            }
            func parser(_ parser: XMLParser, foundCDATA block: Data) {
                if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: block, as: UTF8.self) }
            }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
                        qualifiedName: String?) {
                guard var node = stack.popLast() else { return }
                if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
                if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
            }
        }
        let builder = Builder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        parser.shouldResolveExternalEntities = false
        return parser.parse() ? builder.root : nil
    }

    static func same(_ a: XMLTree?, _ b: XMLTree?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.name == b.name && a.text == b.text && a.children.count == b.children.count
            && zip(a.children, b.children).allSatisfy { same($0, $1) }
    }

    static func describe(_ tree: XMLTree?) -> String {
        guard let tree else { return "nil" }
        let children = tree.children.map { describe($0) }.joined(separator: ",")
        return "\(tree.name)(\(tree.text.debugDescription))[\(children)]"
    }

    /// A document of random shape and text, written with every construct an answer may use.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        static let pieces = ["a", "Z", " ", "\n", "\r\n", "\t", "é", "日本", "😀", "&amp;", "&lt;", "&gt;",
                             "&quot;",
                             "&apos;", "&#65;", "&#x1F600;", "&#13;", "<![CDATA[<b>&amp;]]>", "<!-- note -->",
                             "<?pi data?>", "]x", ">", "'", "\""]
        mutating func text() -> String {
            (0..<next(6)).map { _ in Self.pieces[next(Self.pieces.count)] }.joined()
        }
        mutating func element(_ depth: Int) -> String {
            let name = ["Member", "ns:Code", "NextToken", "a-b.c_d", "X1"][next(5)]
            let attributes = [" xmlns=\"https://example.com/doc/2010-08-01/\"", " a='1' b=\"2\"", ""][next(3)]
            if next(5) == 0 { return "<\(name)\(attributes)/>" }
            var inner = ""
            if depth < 5 && next(2) == 0 {
                for _ in 0..<next(4) { inner += (next(2) == 0 ? "\n  " : "") + element(depth + 1) }
                inner += next(2) == 0 ? "\n" : ""
            } else {
                inner = text()
            }
            return "<\(name)\(attributes)>\(inner)</\(name)>"
        }
        mutating func document() -> String {
            let prolog = ["", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                          "\u{FEFF}<?xml version=\"1.0\"?>"][next(3)]
            return prolog + element(0) + ["", "\n", "<!-- end -->\n"][next(3)]
        }
    }

    @Test func readsWhatLibxml2ReadsFromGeneratedDocuments() {
        var generator = Generator(state: 42)
        for _ in 0..<3_000 {
            let document = Array(generator.document().utf8)
            let ours = XMLTree.parse(document), theirs = Self.reference(document)
            let text = String(decoding: document, as: UTF8.self)
            #expect(theirs != nil, "libxml2 refused a generated document: \(text)")
            #expect(Self.same(ours, theirs), """
                \(String(decoding: document, as: UTF8.self))
                ours:    \(Self.describe(ours))
                libxml2: \(Self.describe(theirs))
                """)
        }
    }

    /// Every cut of a document before its root ends is refused, as libxml2 refuses it.
    @Test func refusesEveryTruncation() {
        var generator = Generator(state: 7)
        for _ in 0..<200 {
            let document = Array(generator.document().utf8)
            guard let end = document.lastIndex(of: UInt8(ascii: ">")) else { continue }
            let rootEnd = String(decoding: document, as: UTF8.self).hasSuffix("<!-- end -->\n")
                ? document.count - "<!-- end -->\n".utf8.count - 1 : end
            for cut in 0..<rootEnd {
                let prefix = Array(document[..<cut])
                #expect(XMLTree.parse(prefix) == nil, "\(String(decoding: prefix, as: UTF8.self))")
            }
        }
    }

    @Test func readsAnAnswerAsAWSWritesIt() throws {
        let answer = """
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
              <DescribeAlarmsResult>
                <MetricAlarms>
                  <member>
                    <AlarmDescription>pages &lt;on-call&gt; &amp; more&#xA;</AlarmDescription>
                    <Threshold>300.0</Threshold>
                  </member>
                </MetricAlarms>
              </DescribeAlarmsResult>
              <ResponseMetadata><RequestId>abc</RequestId></ResponseMetadata>
            </DescribeAlarmsResponse>
            """
        let tree = try #require(XMLTree.parse(Array(answer.utf8)))
        #expect(tree.name == "DescribeAlarmsResponse" && tree.text == "")
        let member = tree["DescribeAlarmsResult", "MetricAlarms", "member"]
        // A leaf's text is kept exactly, its trailing newline included.
        #expect(member?["AlarmDescription"]?.text == "pages <on-call> & more\n")
        #expect(member?["Threshold"]?.text == "300.0")
        #expect(tree["ResponseMetadata", "RequestId"]?.text == "abc")
    }

    /// What an answer may not be: a document type (so no entity can expand, billion laughs or a file), an
    /// unknown entity, tags that do not match, two roots, text outside the root, a character XML forbids,
    /// and nesting past the bound.
    @Test func refusesWhatIsNotAWellFormedAnswer() {
        let refused = [
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            "<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
            "<a>&x;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&amp</a>", "<a><b></a></b>", "<a></b>",
            "<a/><b/>", "text<a/>", "<a/>text", "<a>]]></a>", "<a><!-- a -- b --></a>", "<a b=c/>", "<a b=\"<\"/>",
            "", "   ", "<a", "<a>", "</a>",
            Self.nested(XMLTree.maxDepth + 1),
        ]
        for text in refused {
            #expect(XMLTree.parse(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(XMLTree.parse(Array(Self.nested(XMLTree.maxDepth).utf8)) != nil)
    }

    static func nested(_ depth: Int) -> String {
        String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
    }
}
