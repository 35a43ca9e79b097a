import BallastCore
@testable import BallastYAML
import Testing

/// `ballast adopt`'s edits: one scalar replaced where its key was written, every other byte kept.
@Suite struct YAMLEditorTests {
    static let file = "desired-state/test/r.yaml"

    func edit(_ text: String, line: Int, column: Int, field: String? = nil, index: Int? = nil,
              to value: Value) throws -> String {
        let bytes = try YAMLEditor.replace(in: Array(text.utf8), file: Self.file,
                                           key: SourceLocation(file: Self.file, line: line, column: column),
                                           field: field, index: index, with: value)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func eachStyleKeepsItselfWhereItReadsBackTheSame() throws {
        let text = """
            # a comment
            resources:
              - type: AWS::CloudWatch::Alarm   # trailing comment
                id: 'high-cpu'
                properties:
                  AlarmDescription: 'it''s loud'
                  Threshold: 80.5
                  ActionsEnabled: true

            """
        #expect(try edit(text, line: 6, column: 7, to: "don't page") == text.replacingOccurrences(
            of: "'it''s loud'", with: "'don''t page'"))
        #expect(try edit(text, line: 7, column: 7, to: 95.25) == text.replacingOccurrences(of: "80.5", with: "95.25"))
        #expect(try edit(text, line: 8, column: 7, to: false) == text.replacingOccurrences(of: "true", with: "false"))
    }

    @Test func aPlainStringThatWouldReadAsAnotherTypeIsQuoted() throws {
        let text = "resources:\n  - {type: AWS::CloudWatch::Alarm, id: a, properties: {AlarmDescription: loud}}\n"
        for (value, written) in [
            ("80", "\"80\""), ("true", "\"true\""), ("a: b", "\"a: b\""), ("plain text", "plain text"),
            ("", "\"\""), ("x, y", "\"x, y\""), ("# no", "\"# no\""),
        ] {
            let edited = try edit(text, line: 2, column: 56, to: .string(value))
            #expect(edited == text.replacingOccurrences(of: "loud}}", with: written + "}}"), "\(value)")
        }
    }

    @Test func aRangeBoundAndAListItemAreEditedInPlace() throws {
        let text =
            "resources:\n  - {type: T, id: a, properties: {DesiredCapacity: {within: [3, 12]}, MinSize: "
                + "{atLeast: 2}}}\n"
        #expect(
            try edit(text, line: 2, column: 35, field: "within", index: 1, to: 16)
                == text.replacingOccurrences(of: "[3, 12]", with: "[3, 16]"))
        #expect(
            try edit(text, line: 2, column: 71, field: "atLeast", to: 1)
                == text.replacingOccurrences(of: "atLeast: 2", with: "atLeast: 1"))
    }

    @Test func theSecondDocumentAndMultiByteTextBeforeItAreKept() throws {
        let text = "# café ☕\nresources: []\n---\nresources:\n  - type: AWS::Logs::LogGroup\n    id: é\n"
            + "    properties:\n      RetentionInDays: 14   # two weeks\n"
        #expect(try edit(text, line: 8, column: 7, to: 60) == text.replacingOccurrences(of: "14", with: "60"))
    }

    @Test func whatIsSharedOrNotAScalarIsRefused() {
        let shared =
            "resources:\n  - {type: T, id: a, properties: {R: &keep 30}}\n  - {type: T, id: b, properties: {R: "
                + "*keep}}\n"
        for line in [2, 3] {
            let refusal = #expect(throws: YAMLEditor.Refusal.self) { try edit(shared, line: line, column: 35, to: 7) }
            #expect(refusal?.description.contains("anchor or alias") == true, "\(refusal.map { "\($0)" } ?? "")")
        }
        let list = "resources:\n  - {type: T, id: a, properties: {L: [a, b]}}\n"
        let notScalar = #expect(throws: YAMLEditor.Refusal.self) { try edit(list, line: 2, column: 35, to: "c") }
        #expect(notScalar?.description.contains("not one scalar") == true)
        #expect(throws: YAMLEditor.Refusal.self) { try edit(list, line: 2, column: 35, to: ["c"]) }
    }
}
