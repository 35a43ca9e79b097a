@testable import BallastCore
import Testing

/// Property paths are JSON Pointers (RFC 6901): a name holding `/` or `~` is one segment everywhere a
/// path is made, read or compared.
@Suite struct PropertyPathTests {
    @Test func namesRoundTripThroughEscaping() {
        for name in ["a/b", "~1", "a~b/c", "GET /pets/{id}", "aws:RequestTag/team", "plain", ""] {
            #expect(PropertyPath.segments(PropertyPath.appending("", name)) == [name])
        }
        #expect(PropertyPath.appending("/RouteSettings", "GET /pets") == "/RouteSettings/GET ~1pets")
        #expect(PropertyPath.unescape("~01") == "~1")  // RFC 6901 section 4: ~1 first, then ~0
        #expect(PropertyPath.readable("/Rules/0/Name") == "Rules[0].Name")
        #expect(PropertyPath.readable("/Policy/aws:RequestTag~1team") == #"Policy["aws:RequestTag/team"]"#)
    }

    /// Live `{"a/b": 1, "a": {"b": 2}}` against desired `a/b: 2`: the property named `a/b` differs, not `a.b`.
    @Test func aNameWithASlashIsComparedAsOneProperty() {
        let resource = DesiredResource(type: "Test::Path::Thing", identity: .id("x"), region: "us-east-1",
                                       environment: "test", properties: ["a/b": .exact(2)],
                                       source: SourceLocation(file: "r.yaml"))
        let live: [String: Value] = ["a/b": 1, "a": ["b": 2]]
        #expect(Comparison.differences(resource, live: live) == [
            PropertyDifference(path: "/a~1b", expected: 2, actual: 1, type: .notEqual)])
        #expect(value(at: "/a~1b", in: live) == 1)
        #expect(value(at: "/a/b", in: live) == 2)
    }

    /// A key inside a free-form value (`aws:RequestTag/team` in a policy) stays one segment.
    @Test func aKeyInsideAValueIsOneSegment() {
        let resource = DesiredResource(type: "Test::Path::Thing", identity: .id("x"), region: "us-east-1",
                                       environment: "test",
                                       properties: ["Policy": .exact(["aws:RequestTag/team": "ops"])],
                                       source: SourceLocation(file: "r.yaml"))
        let differences = Comparison.differences(resource, live: ["Policy": ["aws:RequestTag/team": "dev"]])
        #expect(differences.map(\.path) == ["/Policy/aws:RequestTag~1team"])
    }

    /// A registry schema's `readOnlyProperties` entry `/properties/a~1b` names the property `a/b`.
    @Test func aRegistryPointerNamesOneProperty() throws {
        let text = """
            {"typeName": "Test::Path::Thing", "properties": {"Id": {"type": "string"}, "a/b": {"type": "integer"},
             "a": {"type": "object", "properties": {"b": {"type": "integer"}}}},
             "primaryIdentifier": ["/properties/Id"], "readOnlyProperties": ["/properties/a~1b"]}
            """
        let schema = try RegistrySchema.parse(Array(text.utf8), file: "schemas/Test-Path-Thing.json")
        #expect(schema.refusal(of: "/a~1b") != nil)
        #expect(schema.refusal(of: "/a/b") == nil)
        #expect(schema.ownable(["a/b": 1, "a": ["b": 2]]) == ["a": ["b": 2]])
    }
}
