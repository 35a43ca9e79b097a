import FoundationEssentials

/// One apply as the journal keeps it: what was meant (revision, plan
/// checksum), who and when, and what happened to each write.
public struct JournalEntry: Sendable, Equatable {
    public enum Kind: String, Sendable { case apply, rollback, revert }

    /// `applied`: every change written and verified, nothing left unfixable;
    /// `partial`: some written, not all; `failed`: nothing written;
    /// `started`: recorded before the first write, not finished (yet);
    /// `interrupted`: the process died mid-apply, closed by the next apply;
    /// `pending`: every change written, but AWS had not finished some of them when ballast stopped waiting.
    public enum Outcome: String, Sendable { case applied, partial, failed, started, interrupted, pending }

    /// Where an apply is: an intent written before the first write, the entry it
    /// ends with, or an intent the next apply found unfinished.
    public enum Stage: Sendable { case started, finished, interrupted }

    /// What happened to one write.
    public enum Written: String, Sendable {
        case applied, failed
        case notAttempted = "not attempted"
        /// In flight when the apply was interrupted: it may or may not have landed.
        case unknown
    }

    public struct Change: Sendable, Equatable {
        public var change: PlannedChange
        public var outcome: Written
        /// The AWS error of a failed write, or why the re-read did not confirm it.
        public var error: String?
        /// The re-read after the write showed the desired values.
        public var verified: Bool
        /// Accepted by AWS, not finished when ballast stopped waiting: neither failed nor verified.
        public var pending: Bool = false

        public init(
            change: PlannedChange, outcome: Written, error: String? = nil, verified: Bool = false,
            pending: Bool = false
        ) {
            self.pending = pending
            self.change = change
            self.outcome = outcome
            self.error = error
            self.verified = verified
        }
    }

    public var id: String
    public var kind: Kind
    public var environments: [String]
    /// The commit whose desired state was applied (`+worktree` for uncommitted files).
    public var revision: String
    public var time: Date
    public var actor: String
    public var planChecksum: String
    /// The reason given with `--override-window`, when applied outside a change window.
    public var windowOverride: String?
    /// Rollback: the HEAD it rolled back from. Revert: the commit it reverted.
    public var relatedCommit: String?
    public var changes: [Change]
    /// Resources that do not exist, as `type id`.
    public var unfixable: [String]
    public var stage: Stage

    public init(id: String = UUID().uuidString.lowercased(), kind: Kind, environments: [String], revision: String,
                time: Date, actor: String, planChecksum: String, windowOverride: String? = nil,
                relatedCommit: String? = nil, changes: [Change], unfixable: [String] = [], stage: Stage = .finished) {
        self.id = id
        self.kind = kind
        self.environments = environments
        self.revision = revision
        self.time = time
        self.actor = actor
        self.planChecksum = planChecksum
        self.windowOverride = windowOverride
        self.relatedCommit = relatedCommit
        self.changes = changes
        self.unfixable = unfixable
        self.stage = stage
    }

    /// How long after an entry's time its writes may land and still be its own: ballast's bound
    /// (an apply's writes, each followed to completion within `--wait-timeout`), with a few minutes
    /// before it for clocks that disagree.
    public static let writeWindow: ClosedRange<TimeInterval> = -300...3_600

    /// Whether this entry made `event`: an applied write of the resource, made within the entry's
    /// window, whose request gives every value the entry wrote that it names at its documented path,
    /// and at least one of them. A session name or user agent alone never makes a write ballast's.
    public func wrote(_ event: CloudTrailEvent, of type: String, id: String) -> Bool {
        let offset = event.time.timeIntervalSince(time)
        guard Self.writeWindow.contains(offset) else { return false }
        return changes.contains { written in
            guard written.outcome == .applied, written.change.key.type == type, written.change.id == id else {
                return false
            }
            let named = written.change.set.compactMap { path, assignment in
                event.value(at: path).map { (given: $0, wrote: assignment.to) }
            }
            return !named.isEmpty && named.allSatisfy { Self.same($0.given, $0.wrote) }
        }
    }

    /// A request's value against a written one: numbers by value, whatever type the request spells
    /// them in (`"7"` and `7`), everything else as it is.
    static func same(_ given: Value, _ wrote: Value) -> Bool {
        if given == wrote { return true }
        if let text = given.string, let number = Double(text), let written = wrote.number { return number == written }
        if let text = given.string, case .bool(let flag) = wrote { return text == (flag ? "true" : "false") }
        return false
    }

    public var outcome: Outcome {
        switch stage {
        case .started: return .started
        case .interrupted: return .interrupted
        case .finished: break
        }
        let applied = changes.filter { $0.outcome == .applied }
        if applied.isEmpty && !changes.isEmpty { return .failed }
        let complete = applied.count == changes.count && applied.allSatisfy(\.verified) && unfixable.isEmpty
        if !complete, applied.count == changes.count, applied.allSatisfy({ $0.verified || $0.pending }),
            unfixable.isEmpty {
            return .pending
        }
        return complete ? .applied : .partial
    }

    public var json: Value {
        var fields: [String: Value] = [
            "id": .string(id), "kind": .string(kind.rawValue), "environments": .list(environments.map(Value.string)),
            "revision": .string(revision), "time": .string(Timestamp.iso8601(time, milliseconds: true)),
            "actor": .string(actor),
            "planChecksum": .string(planChecksum), "outcome": .string(outcome.rawValue),
            "unfixable": .list(unfixable.map(Value.string)),
            "changes": .list(changes.map { entry in
                guard case .map(var change) = entry.change.json else { return entry.change.json }
                change["outcome"] = .string(entry.outcome.rawValue)
                change["verified"] = .bool(entry.verified)
                if entry.pending { change["pending"] = true }
                if let error = entry.error { change["error"] = .string(error) }
                return .map(change)
            }),
        ]
        if let windowOverride { fields["windowOverride"] = .string(windowOverride) }
        if let relatedCommit { fields[kind == .revert ? "reverted" : "rolledBackFrom"] = .string(relatedCommit) }
        return .map(fields)
    }

    public init?(json: Value) {
        guard let id = json["id"]?.string, let kind = json["kind"]?.string.flatMap(Kind.init(rawValue:)),
              let revision = json["revision"]?.string, let time = json["time"]?.string.flatMap(Timestamp.parse) else {
            return nil
        }
        let changes = (json["changes"]?.list ?? []).compactMap { item -> Change? in
            guard let change = PlannedChange(json: item, operation: { _, call in APIOperation(recordedCall: call) }),
                  let outcome = item["outcome"]?.string.flatMap(Written.init) else { return nil }
            return Change(change: change, outcome: outcome, error: item["error"]?.string,
                          verified: item["verified"] == .bool(true), pending: item["pending"] == .bool(true))
        }
        self.init(
            id: id, kind: kind, environments: (json["environments"]?.list ?? []).compactMap(\.string),
            revision: revision, time: time, actor: json["actor"]?.string ?? "",
            planChecksum: json["planChecksum"]?.string ?? "",
            windowOverride: json["windowOverride"]?.string,
            relatedCommit: (json["reverted"] ?? json["rolledBackFrom"])?.string,
            changes: changes, unfixable: (json["unfixable"]?.list ?? []).compactMap(\.string))
        switch json["outcome"]?.string {
        case Outcome.started.rawValue: stage = .started
        case Outcome.interrupted.rawValue: stage = .interrupted
        default: stage = .finished
        }
    }

    /// What a write journaled as started and never ended says.
    public static let inFlight = "in flight when the apply was interrupted: it may or may not have landed"

    /// What an interrupted apply did, from its intent and the writes recorded as they started
    /// (`unknown`) and ended (change index -> outcome and error; an end overrides its start). A
    /// journal of an older ballast, which wrote one change at a time and recorded only ends
    /// (`startsRecorded` false), has no starts: there the first change with no record may have
    /// been in flight.
    public func interrupted(progress: [Int: (Written, String?)], startsRecorded: Bool) -> JournalEntry {
        var closed = self
        closed.stage = .interrupted
        var inFlightNamed = startsRecorded
        for index in closed.changes.indices {
            if let (outcome, error) = progress[index] {
                closed.changes[index].outcome = outcome
                closed.changes[index].error = error ?? (outcome == .unknown ? Self.inFlight : nil)
            } else if !inFlightNamed {
                inFlightNamed = true
                closed.changes[index].outcome = .unknown
                closed.changes[index].error = Self.inFlight
            }
        }
        return closed
    }
}
