import BallastCore
import FoundationEssentials
import Glibc

/// A local file read whole only after its size is checked: a plan file, a shard report, a
/// Terraform state. What a file can cost is bounded before a byte of it is held.
public enum BoundedFile {
    /// The bytes of `path`, refused when over `maxBytes`; `what` names the file in messages
    /// (`the Terraform state prod.tfstate`).
    public static func read(_ path: String, maxBytes: Int, what: String) throws(FileReadError) -> [UInt8] {
        // The size as the file system says it (`stat`: FileManager's attribute is another type in a
        // process that links all of Foundation than in one that does not).
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw FileReadError("cannot read \(what): \(String(cString: strerror(errno)))")
        }
        let size = Int(status.st_size)
        guard size <= maxBytes else {
            throw FileReadError("\(what) is \(size) bytes, over the \(maxBytes)-byte limit")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw FileReadError("cannot read \(what)") }
        return Array(data)
    }
}

/// A file ballast was asked to read that is missing, unreadable, or over its size bound.
public struct FileReadError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
