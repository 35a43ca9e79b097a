import Foundation

/// Where output goes: reports on stdout, notes and errors on stderr. Colour only
/// on a terminal and never with NO_COLOR.
enum Terminal {
    /// Unbuffered, like `write`, so lines and whole reports keep their order in a pipe.
    static func out(_ line: String) {
        write(line + "\n")
    }

    /// A whole rendered report, as it is.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func note(_ message: String) {
        err(paint("note:", .yellow) + " " + message)
    }

    static func error(_ message: String) {
        err(paint("error:", .red) + " " + message)
    }

    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
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
