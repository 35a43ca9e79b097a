import BallastAWS
import BallastCore
import FoundationEssentials
import Glibc

/// Where output goes: reports on stdout, notes and errors on stderr. Colour only
/// on a terminal and never with NO_COLOR. Everything printed may hold text from AWS
/// or the repository, so control characters, DEL, C1 and bidirectional overrides are
/// written out as escapes here (`UntrustedText`); only ballast's own colour survives,
/// added after escaping, or by a renderer that escapes every value itself.
/// Known secrets are scrubbed from all of it (`Secrets`).
enum Terminal {
    /// Unbuffered, like `write`, so lines and whole reports keep their order in a pipe.
    static func out(_ line: String) {
        emit(UntrustedText.block(line) + "\n", to: .output)
    }

    /// A whole rendered report. A coloured one carries its own escapes; its renderer
    /// escaped every value.
    static func write(_ text: String) {
        emit(useColour(STDOUT_FILENO) ? text : UntrustedText.block(text), to: .output)
    }

    static func note(_ message: String) {
        emit(paint("note:", .yellow) + " " + UntrustedText.block(message) + "\n", to: .error)
    }

    static func warning(_ message: String) {
        emit(paint("warning:", .yellow) + " " + UntrustedText.block(message) + "\n", to: .error)
    }

    static func error(_ message: String) {
        emit(paint("error:", .red) + " " + UntrustedText.block(message) + "\n", to: .error)
    }

    static func err(_ line: String) {
        emit(UntrustedText.block(line) + "\n", to: .error)
    }

    static func emit(_ text: String, to stream: StandardStream) {
        stream.write(Secrets.scrub(text))
    }

    enum Colour: String {
        case red = "31", green = "32", yellow = "33", bold = "1"
    }

    static func paint(_ text: String, _ colour: Colour, stream: Int32 = STDERR_FILENO) -> String {
        useColour(stream) ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    static func useColour(_ stream: Int32) -> Bool {
        ProcessInfo.processInfo.environment["NO_COLOR"] == nil && isatty(stream) == 1
    }
}
