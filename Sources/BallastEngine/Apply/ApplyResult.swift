import BallastCore
import FoundationEssentials

/// What an apply asks for beyond the desired state: which kind of apply, and how.
public struct ApplyRequest: Sendable {
    public var kind: JournalEntry.Kind
    /// Rollback: the HEAD it rolls back from. Revert: the reverted commit.
    public var relatedCommit: String?
    /// A plan from `ballast plan --out`; nil plans afresh and asks before writing.
    public var saved: SavedPlan?
    public var continueOnError: Bool
    /// The reason for applying outside a change window.
    public var overrideWindow: String?
    /// How long to wait for AWS to finish what it accepted (DynamoDB updating, RDS pending
    /// modifications) before calling a change pending; 0 reads back once.
    public var waitTimeout: TimeInterval

    public init(kind: JournalEntry.Kind = .apply, relatedCommit: String? = nil, saved: SavedPlan? = nil,
                continueOnError: Bool = false, overrideWindow: String? = nil, waitTimeout: TimeInterval = 600) {
        self.waitTimeout = waitTimeout
        self.kind = kind
        self.relatedCommit = relatedCommit
        self.saved = saved
        self.continueOnError = continueOnError
        self.overrideWindow = overrideWindow
    }
}

/// What an apply tells its caller while it runs.
public enum ApplyEvent: Sendable {
    /// A fresh plan, about to be confirmed (not sent for a saved plan).
    case planned(Plan)
    case note(String)
    /// Waiting for AWS to finish applied changes: what, and for how long so far.
    case waiting(String)
    /// Something went wrong that does not change the result (a lock not given back).
    case problem(String)
}

/// Why an apply wrote nothing.
public enum ApplyRefusal: Sendable {
    case locked(LockHeld)
    case lockFailed(String)
    /// Some resources could not be read (a fresh plan).
    case notChecked
    /// The saved plan asks for writes the desired state at its revision does not.
    case forged([String])
    /// Live values moved since the saved plan was made.
    case stale([String])
    case wrongAccount(String)
    /// A deny policy fails; `policy` is every result.
    case denied([PolicyResult])
    case outsideWindows([String])
    case declined
    case journal(String)
}

public enum ApplyResult: Sendable {
    case refused(ApplyRefusal)
    /// Nothing to write; `unfixable` lists resources that do not exist.
    case nothingToWrite(unfixable: [ResourceDrift])
    /// Writes were made: what happened to each, and where it was journaled.
    case finished(JournalEntry, JournalRecord)
}
