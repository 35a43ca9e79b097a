import BallastCore
import BallastDesiredState

/// An environment's lock table (`lockTable`) as the engine sees it: the port for its apply lock,
/// the journal's copy (what survives the runner), the holds, and the drift-notify state. The
/// DynamoDB implementation (BallastAdapters' `DynamoDBLockTable`) keeps each as an item; the CLI
/// hands one in for each table, reached as its environment's role in its region.
public protocol LockTable: Sendable {
    /// `DynamoDB table T in REGION`, for messages.
    var place: String { get }

    /// The environment's apply lock.
    func lock(environment: String, owner: LockOwner) -> any ApplyLock

    /// The entry, over its intent when one was recorded (a repeat is harmless).
    func record(_ entry: JournalEntry, environment: String) async throws
    /// Marks the intent as the apply running in `environment`, for the next apply to find if this one dies.
    func markRunning(_ intent: JournalEntry, environment: String) async throws
    /// A finished write's outcome, added to the intent.
    func recordProgress(_ intent: JournalEntry, environment: String, index: Int,
                        outcome: JournalEntry.Written) async throws
    /// Removes the running mark if it still names apply `id`.
    func clearRunning(environment: String, id: String) async throws
    /// The apply marked running in `environment`, closed as interrupted; nil when none is.
    func runningEntry(environment: String) async throws -> JournalEntry?
    /// Every entry of `environment`, newest first.
    func entries(environment: String) async throws -> [JournalEntry]

    /// The environment's holds as kept (a malformed one is none).
    func holds(environment: String) async throws -> [Hold]
    /// Keeps a hold (a new one, or a later state of one).
    func keep(_ hold: Hold) async throws

    /// The fingerprint of the drift last notified for `environment`.
    func notifiedDrift(environment: String) async throws -> String?
    func keepNotifiedDrift(_ fingerprint: String, environment: String) async throws
}

/// The lock table named `table` of `environment`.
public typealias LockTables = @Sendable (_ table: String, _ environment: Environment) -> any LockTable
