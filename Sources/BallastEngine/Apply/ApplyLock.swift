import BallastCore
import FoundationEssentials

/// Who takes a lock: a token only this process knows (so a repeated write can
/// tell its own lock from another's), and words for the person who finds it held.
public struct LockOwner: Sendable {
    public var token: String
    public var actor: String
    /// `alice on ci-runner-3 (pid 4121)`.
    public var holder: String
    public var revision: String
    public var pid: Int32
    public var host: String

    public init(actor: String, revision: String) {
        token = UUID().uuidString.lowercased()
        self.actor = actor
        pid = ProcessInfo.processInfo.processIdentifier
        host = ProcessInfo.processInfo.hostName
        holder = "\(actor) on \(host) (pid \(pid))"
        self.revision = revision
    }
}

/// A lock found taken: by whom, since when, applying what.
public struct LockRecord: Sendable {
    public var holder: String
    public var revision: String
    public var acquired: Date

    public init(holder: String, revision: String, acquired: Date) {
        self.holder = holder
        self.revision = revision
        self.acquired = acquired
    }

    public func describe(now: Date = Date()) -> String {
        let minutes = Int(now.timeIntervalSince(acquired) / 60)
        let age = minutes < 1 ? "less than a minute" : minutes < 120 ? "\(minutes) min" : "\(minutes / 60) h"
        return "\(holder), applying \(revision.prefix(12)), since \(Timestamp.iso8601(acquired)) (\(age) ago)"
    }
}

public struct LockHeld: Error, CustomStringConvertible {
    public var environment: String
    public var record: LockRecord
    public var place: String

    public init(environment: String, record: LockRecord, place: String) {
        self.environment = environment
        self.record = record
        self.place = place
    }

    public var description: String {
        "environment \(environment) is locked by \(record.describe()) [\(place)]; "
            + "wait for that apply, or run `ballast unlock \(environment) --force` if it is gone"
    }
}

/// One apply per environment at a time.
public protocol ApplyLock: Sendable {
    /// Where the lock lives, for messages.
    var place: String { get }
    /// Takes the lock or throws `LockHeld` (or the error that stopped it).
    func acquire() async throws
    /// Gives it back if this owner still holds it.
    func release() async throws
    /// Removes whoever holds it; returns who that was.
    func breakLock() async throws -> LockRecord?
}

/// A lock that could not be taken or given back for a reason other than its holder.
public struct LockError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
