import BallastCore
import FoundationEssentials
import Glibc

/// A local file read whole only after its size is checked: a plan file, a shard report, a
/// Terraform state. What a file can cost is bounded before a byte of it is held.
public enum BoundedFile {
    /// The bytes of `path`, refused when over `maxBytes`; `what` names the file in messages
    /// (`the Terraform state prod.tfstate`).
    public static func read(_ path: String, maxBytes: Int, what: String) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileReadError("cannot read \(what): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // The size as the file system says it, of the file opened (`fstat`: the name may be moved to another
        // file meanwhile), refused before a byte is read. A file that grows after, and a pipe or device whose
        // size says nothing (`/dev/zero`), are read only to one byte over the limit.
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw FileReadError("cannot read \(what): \(String(cString: strerror(errno)))")
        }
        guard Int(status.st_size) <= maxBytes else {
            throw FileReadError("\(what) is \(status.st_size) bytes, over the \(maxBytes)-byte limit")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1_024)
        while bytes.count <= maxBytes {
            let wanted = min(chunk.count, maxBytes + 1 - bytes.count)
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw FileReadError("cannot read \(what): \(String(cString: strerror(errno)))") }
            if got == 0 { return bytes }
            bytes += chunk[0..<got]
        }
        throw FileReadError("\(what) is over the \(maxBytes)-byte limit (it grew while read, or is no regular file)")
    }
}

/// A file ballast was asked to read that is missing, unreadable, or over its size bound.
public struct FileReadError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
