import FoundationEssentials

/// One event in a declared resource's history, as the status page lists it: a commit that changed its
/// declaration's lines, a write ballast's journal recorded, a drift episode the watch saw, or a CloudTrail
/// event the watch received. Every text in it came from git, AWS or the repository: untrusted, escaped where
/// it is shown.
public struct HistoryEntry: Sendable, Equatable {
    public enum Source: String, Sendable, CaseIterable {
        case commit, journal, drift, event
    }

    public var source: Source
    public var at: Date
    /// One line: the commit's subject, the write's call and outcome, the episode's differences.
    public var said: String
    /// Who: a commit's author, the journal's caller, the caller CloudTrail named.
    public var by: String?
    /// What names it: a commit's sha, a journal entry's id, an event's id.
    public var reference: String?
    /// When a drift episode ended (nil while it lasts, and for every other source).
    public var ended: Date?

    public init(_ source: Source, at: Date, said: String, by: String? = nil, reference: String? = nil,
                ended: Date? = nil) {
        self.source = source
        self.at = at
        self.said = said
        self.by = by
        self.reference = reference
        self.ended = ended
    }

    public var json: Value {
        var fields: [String: Value] = ["source": .string(source.rawValue), "at": .string(Timestamp.iso8601(at)),
                                       "said": .string(said)]
        if let by { fields["by"] = .string(by) }
        if let reference { fields["reference"] = .string(reference) }
        if let ended { fields["ended"] = .string(Timestamp.iso8601(ended)) }
        return .map(fields)
    }
}
