import BallastCore
import Foundation
import Testing

/// Change windows against an injected clock, and the journal entry's JSON.
@Suite struct ApplyModelTests {
    func utc(_ text: String) -> Date { Timestamp.parse(text)! }

    let prod = Environment(name: "prod", region: "us-east-1", changeWindows: [
        ChangeWindow(days: [.sunday], start: 120, end: 240),                 // Sun 02:00-04:00
        ChangeWindow(days: [.tuesday, .thursday], start: 780, end: 840),     // Tue, Thu 13:00-14:00
        ChangeWindow(days: [.friday], start: 1380, end: 60),                 // Fri 23:00 - Sat 01:00
    ], source: SourceLocation(file: "desired-state/prod/environment.yaml", line: 1, column: 1))

    @Test func insideAWindowAnApplyMayRun() {
        #expect(prod.windowRefusal(at: utc("2026-11-22T02:00:00Z")) == nil)   // Sunday, first minute
        #expect(prod.windowRefusal(at: utc("2026-11-22T03:59:59Z")) == nil)
        #expect(prod.windowRefusal(at: utc("2026-11-26T13:30:00Z")) == nil)  // Thursday
        // Saturday, in Friday's window past midnight.
        #expect(prod.windowRefusal(at: utc("2026-11-28T00:30:00Z")) == nil)
    }

    @Test func outsideEveryWindowTheRefusalNamesThemAndTheNextOpening() {
        #expect(
            prod.windowRefusal(at: utc("2026-11-22T04:00:00Z"))
                == "prod is outside its change windows (Sun 02:00-04:00; Tue, Thu 13:00-14:00; Fri 23:00-01:00, "
                    + "UTC); the next opens Tue 2026-11-24 13:00 UTC"
        )
        #expect(prod.nextWindowOpening(after: utc("2026-11-27T22:59:30Z")) == utc("2026-11-27T23:00:00Z"))
        #expect(prod.nextWindowOpening(after: utc("2026-11-28T01:00:00Z")) == utc("2026-11-29T02:00:00Z"))
    }

    @Test func anEnvironmentWithoutWindowsIsAlwaysOpen() {
        let staging = Environment(name: "staging", region: "us-east-1", source: prod.source)
        #expect(staging.windowRefusal(at: utc("2026-11-25T09:00:00Z")) == nil)
    }

    @Test func aJournalEntryReadsBackAndNamesItsOutcome() {
        let change = PlannedChange(
            ResourceKey(
                environment: "prod", type: "AWS::Logs::LogGroup", id: "/aws/x",
                region: "us-east-1"),
            operation: APIOperation(.logs, "PutRetentionPolicy"),
            set: ["/RetentionInDays": .init(from: 7, to: 30)])
        var entry = JournalEntry(
            kind: .rollback, environments: ["prod"], revision: "abc", time: utc("2026-11-23T07:00:00Z"),
            actor: "alice", planChecksum: "f00", windowOverride: "INC-1", relatedCommit: "def",
            changes: [.init(change: change, outcome: .applied, verified: true)])
        #expect(entry.outcome == .applied)
        #expect(JournalEntry(json: entry.json) == entry)
        #expect(entry.json["rolledBackFrom"] == "def")
        entry.changes.append(.init(change: change, outcome: .failed, error: "AccessDenied"))
        #expect(entry.outcome == .partial)
        entry.changes[0].outcome = .notAttempted
        #expect(entry.outcome == .failed)
        entry.changes = [.init(change: change, outcome: .applied, verified: false)]
        #expect(entry.outcome == .partial)  // written but not read back as desired
    }

    /// A killed apply: with starts journaled, only what started and never ended is `unknown`;
    /// a journal without starts (an older ballast) names the first change with no record.
    @Test func anInterruptedApplyNamesWhatMayHaveLanded() {
        let changes = (0..<4).map { n in
            JournalEntry.Change(change: PlannedChange(ResourceKey(environment: "prod", type: "AWS::Logs::LogGroup",
                                                                  id: "/aws/\(n)", region: "us-east-1"),
                                                      operation: APIOperation(.logs, "PutRetentionPolicy"),
                                                      set: ["/RetentionInDays": .init(from: 7, to: 30)]),
                                outcome: .notAttempted)
        }
        let intent = JournalEntry(kind: .apply, environments: ["prod"], revision: "abc",
                                  time: utc("2026-11-23T07:00:00Z"),
                                  actor: "alice", planChecksum: "f00", changes: changes)
        let outcomes = { (entry: JournalEntry) in entry.changes.map(\.outcome) }
        // 0 started and ended, 2 started and never ended, 1 and 3 never started.
        let withStarts = intent.interrupted(progress: [0: (.applied, nil), 2: (.unknown, nil)], startsRecorded: true)
        #expect(outcomes(withStarts) == [.applied, .notAttempted, .unknown, .notAttempted])
        #expect(withStarts.changes[2].error == JournalEntry.inFlight)
        // Every started write ended: nothing is unknown.
        #expect(outcomes(intent.interrupted(progress: [0: (.applied, nil)], startsRecorded: true))
            == [.applied, .notAttempted, .notAttempted, .notAttempted])
        #expect(outcomes(intent.interrupted(progress: [0: (.applied, nil)], startsRecorded: false))
            == [.applied, .unknown, .notAttempted, .notAttempted])
    }
}
