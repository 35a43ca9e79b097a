import BallastCore
import FoundationEssentials
import Glibc

/// The lock of a repository without a lock table: `.git/ballast-<env>.lock`,
/// held with `flock` for as long as the apply runs. The kernel drops the flock
/// when its process dies however it dies, so taking over a crashed apply's lock
/// is the same atomic step as taking a free one: exactly one of any number of
/// racing applies gets it. The file's content only names the holder for others.
/// It guards applies from one checkout (or bare repository).
public final class FileLock: ApplyLock, @unchecked Sendable {
    let path: String
    let environment: String
    let owner: LockOwner
    /// The open, flocked lock file while held; guarded by `guardian`.
    private var descriptor: Int32 = -1
    private let guardian = Lock()

    public init(gitDirectory: String, environment: String, owner: LockOwner) {
        path = gitDirectory + "/ballast-\(environment).lock"
        self.environment = environment
        self.owner = owner
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    public var place: String { "lock file \(path)" }

    public func acquire() async throws {
        // A file unlinked between our open and flock is a lock nobody else can see: try again.
        for _ in 0..<20 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw LockError("cannot open \(path): \(String(cString: strerror(errno)))") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                guard errno == EWOULDBLOCK else {
                    throw LockError("cannot lock \(path): \(String(cString: strerror(errno)))")
                }
                throw LockHeld(environment: environment, record: read()?.record ?? Self.unknown, place: place)
            }
            guard Self.sameFile(fd, path) else {
                close(fd)
                continue
            }
            // Older ballast versions held the lock by the file's existence alone: respect a live one.
            if let found = read(), !found.token.isEmpty, found.token != owner.token,
               found.host != owner.host || found.pid.map(Self.isAlive) ?? true {
                close(fd)
                throw LockHeld(environment: environment, record: found.record, place: place)
            }
            try record(fd)
            guardian.withLock { descriptor = fd }
            return
        }
        throw LockError("cannot take \(place): it keeps being removed")
    }

    public func release() async throws {
        let fd = guardian.withLock { () -> Int32 in
            defer { descriptor = -1 }
            return descriptor
        }
        guard fd >= 0 else { return }
        // Unlink while still holding the flock, then close: a waiter that opened the
        // old file sees it is no longer at the path and opens the new one.
        if read()?.token == owner.token { unlink(path) }
        close(fd)
    }

    public func breakLock() async throws -> LockRecord? {
        let found = read()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        return found?.record
    }

    static let unknown = LockRecord(holder: "an unknown holder", revision: "?", acquired: Date())

    /// The file at `path` is the one open as `fd`.
    static func sameFile(_ fd: Int32, _ path: String) -> Bool {
        var open = stat(), named = stat()
        guard fstat(fd, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_ino == named.st_ino && open.st_dev == named.st_dev
    }

    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    func record(_ fd: Int32) throws {
        let body: Value = [
            "token": .string(owner.token), "holder": .string(owner.holder), "revision": .string(owner.revision),
            "acquired": .string(Timestamp.iso8601(Date())), "host": .string(owner.host), "pid": .int(Int(owner.pid)),
        ]
        let bytes = Array((JSON.encode(body) + "\n").utf8)
        let written = bytes.withUnsafeBytes { ftruncate(fd, 0) == 0 ? pwrite(fd, $0.baseAddress, $0.count, 0) : -1 }
        guard written == bytes.count else {
            close(fd)
            throw LockError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    func read() -> (record: LockRecord, token: String, host: String, pid: Int32?)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), !text.isEmpty else { return nil }
        let json = (try? JSON.parse(text)) ?? .map([:])
        let record = LockRecord(holder: json["holder"]?.string ?? "an unknown holder (unreadable lock file)",
                                revision: json["revision"]?.string ?? "?",
                                acquired: json["acquired"]?.string.flatMap(Timestamp.parse) ?? Date())
        return (record, json["token"]?.string ?? "", json["host"]?.string ?? "", json["pid"]?.int.map(Int32.init))
    }
}
