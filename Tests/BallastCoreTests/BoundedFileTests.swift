import BallastDesiredState
import Foundation
import Testing

/// What a local file (a plan, a shard report, a Terraform state) may cost is bounded before it is held.
@Suite struct BoundedFileTests {
    @Test func aFileAtTheLimitIsReadAndOneByteOverIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 7, count: 100_000).write(to: URL(fileURLWithPath: path))
        #expect(try BoundedFile.read(path, maxBytes: 100_000, what: "the file").count == 100_000)
        #expect(throws: FileReadError.self) { try BoundedFile.read(path, maxBytes: 99_999, what: "the file") }
    }

    /// A device's or a pipe's size says nothing (`stat` gives 0): what is read stops one byte over the
    /// limit (a file that grows after its size was checked likewise).
    @Test func aDeviceWithoutEndIsReadOnlyToTheLimit() {
        #expect(throws: FileReadError.self) { try BoundedFile.read("/dev/zero", maxBytes: 1_000_000, what: "it") }
        #expect(throws: FileReadError.self) {
            try BoundedFile.read("/nonexistent/plan.json", maxBytes: 10, what: "it")
        }
    }

    /// A report from a pipe (`ballast report merge <(...)`, a FIFO) is read, within the limit.
    @Test func aPipeIsReadWithinTheLimit() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-fifo-\(UUID())").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.write(Data(repeating: 1, count: 300_000))
                try? handle.close()
            }
        }
        writer.start()
        #expect(try BoundedFile.read(path, maxBytes: 1_000_000, what: "the pipe").count == 300_000)
    }
}
