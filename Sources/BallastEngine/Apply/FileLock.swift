import BallastCore
import Foundation

/// The lock of a repository without a lock table: `.git/ballast-<env>.lock`,
/// created exclusively. It guards applies from one checkout (or bare repository).
/// A lock left by a process that died on this host is taken over.
public struct FileLock: ApplyLock {
    let path: String
    let environment: String
    let owner: LockOwner

    public init(gitDirectory: String, environment: String, owner: LockOwner) {
        path = gitDirectory + "/ballast-\(environment).lock"
        self.environment = environment
        self.owner = owner
    }

    public var place: String { "lock file \(path)" }

    public func acquire() async throws {
        for _ in 0..<2 {
            if try create() { return }
            guard let found = read() else { continue }  // released between our tries
            if found.host == owner.host, let pid = found.pid, kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: path)  // its process is gone
                continue
            }
            throw LockHeld(environment: environment, record: found.record, place: place)
        }
        throw LoadError("cannot take \(place)")
    }

    public func release() async throws {
        guard read()?.token == owner.token else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    public func breakLock() async throws -> LockRecord? {
        let found = read()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        return found?.record
    }

    /// O_EXCL: exactly one process creates the file.
    func create() throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw LoadError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let body: Value = ["token": .string(owner.token), "holder": .string(owner.holder), "revision": .string(owner.revision),
                           "acquired": .string(Timestamp.iso8601(Date())), "host": .string(owner.host), "pid": .int(Int(owner.pid))]
        let bytes = Array((JSON.encode(body) + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw LoadError("cannot write \(path)") }
        return true
    }

    func read() -> (record: LockRecord, token: String, host: String, pid: Int32?)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let json = (try? JSON.parse(text)) ?? .map([:])
        let record = LockRecord(holder: json["holder"]?.string ?? "an unknown holder (unreadable lock file)",
                                revision: json["revision"]?.string ?? "?",
                                acquired: json["acquired"]?.string.flatMap(Timestamp.parse) ?? Date())
        return (record, json["token"]?.string ?? "", json["host"]?.string ?? "", json["pid"]?.int.map(Int32.init))
    }
}
