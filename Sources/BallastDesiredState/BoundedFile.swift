import BallastCore
import FoundationEssentials

/// A local file read whole only after its size is checked: a plan file, a shard report, a
/// Terraform state. What a file can cost is bounded before a byte of it is held.
public enum BoundedFile {
    /// The bytes of `path`, refused when over `maxBytes`; `what` names the file in messages
    /// (`the Terraform state prod.tfstate`).
    public static func read(_ path: String, maxBytes: Int, what: String) throws(FileReadError) -> [UInt8] {
        // The size's type is the platform's (`UInt` here); any integer that fits is read as one.
        guard let attribute = (try? FileManager.default.attributesOfItem(atPath: path))?[.size],
              let size = (attribute as? any BinaryInteger).flatMap({ Int(exactly: $0) }) else {
            throw FileReadError("cannot read \(what)")
        }
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
