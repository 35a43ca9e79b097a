import FoundationEssentials
import BallastCore
import CYAML

/// libyaml's events, copied out of C memory as soon as they are parsed.
enum YAMLEvent {
    case documentStart
    case documentEnd
    case streamEnd
    case alias(anchor: String, at: SourceLocation)
    case scalar(text: String, tag: String?, anchor: String?, style: Node.ScalarStyle, at: SourceLocation,
                end: SourceLocation)
    case sequenceStart(tag: String?, anchor: String?, at: SourceLocation)
    case sequenceEnd
    case mappingStart(tag: String?, anchor: String?, at: SourceLocation)
    case mappingEnd
    case other
}

/// Owns one libyaml parser over a byte buffer for the duration of `withEvents`.
final class YAMLEventReader {
    /// Allocated once: libyaml keeps pointers into its parser between calls, so it must
    /// not move (an `inout` to a stored property may be a temporary copy).
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let file: String
    private let bytes: [UInt8]

    private init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
    }

    deinit {
        parser.deallocate()
    }

    /// Runs `body` with a reader over `bytes`; the parser and buffer live exactly that long.
    static func withEvents<T>(_ bytes: [UInt8], file: String,
                              _ body: (YAMLEventReader) throws(Diagnostic) -> T) throws(Diagnostic) -> T {
        let reader = YAMLEventReader(file: file, bytes: bytes)
        reader.parser.initialize(to: yaml_parser_t())
        guard yaml_parser_initialize(reader.parser) == 1 else {
            throw Diagnostic(SourceLocation(file: file), "could not start the YAML parser (out of memory)")
        }
        defer { yaml_parser_delete(reader.parser) }
        let result: Result<T, Diagnostic> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(reader.parser, buffer.baseAddress, buffer.count)
            do throws(Diagnostic) { return .success(try body(reader)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    func next() throws(Diagnostic) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw syntaxError() }
        defer { yaml_event_delete(&event) }
        let at = location(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: string(event.data.alias.anchor) ?? "", at: at)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            let style: Node.ScalarStyle = switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            return .scalar(text: text, tag: string(s.tag), anchor: string(s.anchor), style: style, at: at,
                           end: location(event.end_mark))
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(tag: string(event.data.sequence_start.tag),
                                  anchor: string(event.data.sequence_start.anchor), at: at)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(tag: string(event.data.mapping_start.tag),
                                 anchor: string(event.data.mapping_start.anchor), at: at)
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: return .other
        }
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private func syntaxError() -> Diagnostic {
        let parser = self.parser.pointee
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = parser.context.map { String(cString: $0) + ": " } ?? ""
        // The reader (bad UTF-8, a NUL or other control byte) names a byte offset, not a mark.
        if parser.error == YAML_READER_ERROR {
            let at = location(ofByte: Int(parser.problem_offset))
            let byte = parser.problem_value >= 0
                ? " (byte 0x" + Figures.zeroPadded(Int(parser.problem_value), width: 2, radix: 16) + ")" : ""
            return Diagnostic(at, "not valid UTF-8 text: \(problem)\(byte)")
        }
        return Diagnostic(location(parser.problem_mark), "YAML syntax error: \(context)\(problem)")
    }

    /// Line and column (in characters) of a byte offset.
    private func location(ofByte offset: Int) -> SourceLocation {
        let end = min(max(offset, 0), bytes.count)
        var line = 1, lineStart = 0
        for index in 0..<end where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        // Count characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
        let column = bytes[lineStart..<end].filter { $0 & 0xC0 != 0x80 }.count + 1
        return SourceLocation(file: file, line: line, column: column)
    }
}
