import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input, output and error as file descriptors: what Foundation's `FileHandle` was to ballast.
public struct StandardStream: Sendable {
    public let descriptor: Int32

    public static let input = StandardStream(descriptor: 0)
    public static let output = StandardStream(descriptor: 1)
    public static let error = StandardStream(descriptor: 2)

    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Writes every byte, through short writes and interruptions; false when the rest could not be written
    /// (a closed pipe: what a reader that went away wanted; a full disk).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Up to `count` bytes; empty at the end of the stream. Throws the error's number when a read fails.
    public func read(upToCount count: Int) throws(StreamError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(1, count))
        while true {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw StreamError(number: errno) }
            return Array(buffer.prefix(got))
        }
    }

    /// Whether the stream is a terminal.
    public var isTerminal: Bool { isatty(descriptor) == 1 }
}

/// A read of a standard stream that failed, with the system's reason.
public struct StreamError: Error, Sendable, CustomStringConvertible {
    public let number: Int32
    public var description: String { String(cString: strerror(number)) }
}

/// Why a file operation failed, in the system's words ("No such file or directory"), from the error
/// Foundation's file calls throw (its `localizedDescription` needs all of Foundation).
public func systemReason(_ error: any Error) -> String {
    if let cocoa = error as? CocoaError, let posix = cocoa.underlying as? POSIXError {
        return String(cString: strerror(posix.code.rawValue))
    }
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    if let cocoa = error as? CocoaError, let path = cocoa.filePath {
        return "cannot be read or written (\(cocoa.code.rawValue)): \(path)"
    }
    return "\(error)"
}
