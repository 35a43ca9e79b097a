import BallastCore
import BallastYAML
import Testing

@Suite struct YAMLTests {
    func scalar(_ text: String) -> Value? {
        let (documents, diagnostics) = YAML.parse("v: \(text)\n", file: "t.yaml")
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        return documents.first?["v"]?.scalar
    }

    @Test func onlyTrueAndFalseAreBooleans() {
        #expect(scalar("true") == .bool(true))
        #expect(scalar("False") == .bool(false))
        for word in ["yes", "no", "on", "off", "y", "n", "Yes"] {
            #expect(scalar(word) == .string(word), "YAML 1.1 boolean '\(word)' must stay a string")
        }
    }

    @Test func integersAndFloatsFollowTheCoreSchema() {
        #expect(scalar("42") == .int(42))
        #expect(scalar("-7") == .int(-7))
        #expect(scalar("0o17") == .int(15))
        #expect(scalar("0x1F") == .int(31))
        #expect(scalar("0755") == .int(755), "1.2 has no implicit octal")
        #expect(scalar("2.5") == .double(2.5))
        #expect(scalar("1e3") == .double(1000))
        #expect(scalar(".inf") == .double(.infinity))
        #expect(scalar("12:30") == .string("12:30"), "1.2 has no sexagesimal numbers")
        #expect(scalar("1_000") == .string("1_000"))
        #expect(scalar("\"42\"") == .string("42"), "quoted scalars are strings")
    }

    @Test func nullForms() {
        for form in ["null", "~", "NULL", ""] { #expect(scalar(form) == .null) }
    }

    @Test func explicitTagsForceTypes() {
        #expect(scalar("!!str 42") == .string("42"))
        #expect(scalar("!!float 3") == .double(3))
        let (_, diagnostics) = YAML.parse("v: !!int abc\n", file: "t.yaml")
        #expect(diagnostics.map(\.description) == ["t.yaml:1:4: 'abc' is not a valid !!int"])
    }

    @Test func nodesKeepLineColumnAndTag() throws {
        let text = "top:\n  list:\n    - a\n    - !!str 5\n"
        let (documents, _) = YAML.parse(text, file: "f.yaml")
        let list = try #require(documents.first?["top"]?["list"]?.items)
        #expect(list[0].location == SourceLocation(file: "f.yaml", line: 3, column: 7))
        #expect(list[1].tag == "tag:yaml.org,2002:str")
        #expect(documents.first?.entries?.first?.keyLocation == SourceLocation(file: "f.yaml", line: 1, column: 1))
    }

    @Test func anchorsAndAliasesResolve() {
        let text = "base: &b {x: 1}\ncopy: *b\n"
        let (documents, diagnostics) = YAML.parse(text, file: "f.yaml")
        #expect(diagnostics.isEmpty)
        #expect(documents.first?["copy"]?.value == .map(["x": .int(1)]))
    }

    @Test func unknownAliasIsAnError() {
        let (_, diagnostics) = YAML.parse("a: *missing\n", file: "f.yaml")
        #expect(diagnostics.first?.description.hasPrefix("f.yaml:1:4: ") == true)
        #expect(diagnostics.first?.message.contains("unknown alias '*missing'") == true)
    }

    @Test func duplicateKeysAreErrorsAtTheSecondKey() {
        let (_, diagnostics) = YAML.parse("a: 1\nb: 2\na: 3\n", file: "f.yaml")
        #expect(diagnostics.map(\.description) == ["f.yaml:3:1: duplicate key 'a' (first at line 1)"])
    }

    @Test func syntaxErrorsCarryTheirPosition() {
        let (documents, diagnostics) = YAML.parse("a:\n  - x\n  y: [\n", file: "f.yaml")
        #expect(documents.isEmpty)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.location.file == "f.yaml")
        #expect(diagnostics.first?.location.line == 3)
        #expect(diagnostics.first?.message.hasPrefix("YAML syntax error") == true)
    }

    @Test func multipleDocuments() {
        let (documents, _) = YAML.parse("a: 1\n---\nb: 2\n", file: "f.yaml")
        #expect(documents.count == 2)
        #expect(documents[1]["b"]?.location.line == 3)
    }

    // MARK: Hostile input: every file costs bounded time and memory and fails at its place.

    func mistakes(_ bytes: [UInt8]) -> [String] {
        YAML.parse(bytes, file: "t.yaml").diagnostics.map(\.description)
    }

    /// Nine anchors, each a list of nine aliases of the one before: 9^9 nodes once expanded.
    static var aliasBomb: String {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
                + "]\n"
        }
        return text
    }

    @Test func anAliasBombStopsAtTheAliasThatCrossesTheCap() {
        let found = mistakes(Array(Self.aliasBomb.utf8))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("t.yaml:6:") == true)
        #expect(
            found.first?.hasSuffix(
                "aliases expand this file past 100000 nodes; a file that size is a mistake (or an alias bomb)") == true
        )
        // Ordinary anchors stay fine.
        #expect(mistakes(Array("base: &b {x: 1}\none: *b\ntwo: *b\n".utf8)).isEmpty)
    }

    @Test func deepNestingIsAMistakeNotACrash() {
        #expect(
            mistakes(Array(String(repeating: "[", count: 8000).utf8)) == [
                "t.yaml:1:257: nested deeper than 256 levels"
            ])
        #expect(
            mistakes(Array((String(repeating: "[", count: 256) + String(repeating: "]", count: 256)).utf8)).isEmpty)
    }

    @Test func aBadByteIsReportedWhereItIs() {
        #expect(mistakes(Array("a: 1\nb: ".utf8) + [0xFF] + Array("\n".utf8))
            == ["t.yaml:2:4: not valid UTF-8 text: invalid leading UTF-8 octet (byte 0xFF)"])
        #expect(mistakes(Array("a: 1\nbé: x".utf8) + [0x00] + Array("\n".utf8))
            == ["t.yaml:2:6: not valid UTF-8 text: control characters are not allowed (byte 0x00)"])
    }

    @Test func tagsOnMappingsAndListsAreMistakes() {
        #expect(
            mistakes(
                Array("a: !!set {x: 1}\nb: !custom [1]\nc: !!python/object:os.system {x: 1}\nd: !!map {x: 1}\n".utf8))
                == [
                    "t.yaml:1:4: unsupported YAML tag '!!set' on a mapping; write it without a tag",
                    "t.yaml:2:4: unsupported YAML tag '!custom' on a list; write it without a tag",
                    "t.yaml:3:4: unsupported YAML tag '!!python/object:os.system' on a mapping; write it "
                        + "without a tag",
                ])
    }
}
