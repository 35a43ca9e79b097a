import FoundationEssentials

/// Whether a rotation that is configured really happened (spec section 8, "Risk"): when it last did, when
/// the next one was due, whether that is past by more than the environment's `rotationGrace`, and why
/// the last attempt failed, if it did. A Secrets Manager rotation schedule and a KMS key with rotation
/// on carry one; `live.lastRotated` in policies.
public struct Rotation: Sendable, Equatable {
    /// The last rotation; nil when it never rotated.
    public var last: Date?
    /// When the next one was due; nil when nothing says.
    public var due: Date?
    /// Past `due` by more than the grace, or never rotated at all.
    public var overdue: Bool
    /// Why the last attempt did not finish, as AWS shows it.
    public var lastError: String?

    public init(last: Date?, due: Date?, overdue: Bool, lastError: String? = nil) {
        self.last = last
        self.due = due
        self.overdue = overdue
        self.lastError = lastError
    }

    /// Judged at `now`: overdue when never rotated, or when `due` plus `grace` has passed.
    public init(last: Date?, due: Date?, grace: TimeInterval, now: Date, lastError: String? = nil) {
        self.init(last: last, due: due,
                  overdue: last == nil || due.map { now > $0.addingTimeInterval(grace) } == true,
                  lastError: lastError)
    }

    /// `{"last", "due", "overdue", "lastError"}`; a date nobody knows is null.
    public var json: Value {
        ["last": last.map { .string(Timestamp.iso8601($0)) } ?? .null,
         "due": due.map { .string(Timestamp.iso8601($0)) } ?? .null,
         "overdue": .bool(overdue), "lastError": lastError.map(Value.string) ?? .null]
    }

    public init?(json: Value?) {
        guard let json, let overdue = json["overdue"]?.bool else { return nil }
        self.init(last: json["last"]?.string.flatMap(Timestamp.parse),
                  due: json["due"]?.string.flatMap(Timestamp.parse), overdue: overdue,
                  lastError: json["lastError"]?.string)
    }

    /// Whether a report says anything about it: overdue, or a failed attempt.
    public var isFinding: Bool { overdue || lastError != nil }

    /// One line for a report.
    public var said: String {
        var parts: [String] = []
        if let last { parts.append("last rotated \(Timestamp.iso8601(last))") } else { parts.append("never rotated") }
        if let due { parts.append("due \(Timestamp.iso8601(due))") }
        var line = (overdue ? "rotation overdue: " : "rotation: ") + parts.joined(separator: ", ")
        if let lastError { line += "; the last attempt failed: \(lastError)" }
        return line
    }
}
