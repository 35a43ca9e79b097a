import BallastCore
import BallastDesiredState
import FoundationEssentials
import Glibc

/// Where one apply's journal went: the places written, and what could not be.
public struct JournalRecord: Sendable {
    public var places: [String] = []
    public var problems: [String] = []
    /// The git note holds the entry (the local progress file may then go).
    public var inNote = false
}

/// The journal of one apply as it happens, so that `kill -9` loses nothing:
/// an intent entry before the first write (a git note and each lock table), a
/// line per finished write (a progress file in `.git`, and the lock table's item),
/// and the entry it ends with, which replaces the intent. The next apply of an
/// environment finds an intent that never ended and closes it as `interrupted`.
struct ApplyJournal: Sendable {
    let loaded: LoadedState
    let lockTables: LockTables

    var progressDirectory: String { loaded.gitDirectory + "/ballast-applies" }
    func progressFile(_ id: String) -> String { progressDirectory + "/\(id).jsonl" }
    var tables: [(environment: Environment, journal: any LockTable)] {
        loaded.state.environments.compactMap { environment in
            environment.lockTable.map { (environment, lockTables($0, environment)) }
        }
    }

    /// Records the intent everywhere the final entry will go; throws what failed,
    /// since an apply that cannot be journaled must not write.
    func begin(_ intent: JournalEntry) async throws(JournalProblem) {
        do {
            try FileManager.default.createDirectory(atPath: progressDirectory, withIntermediateDirectories: true)
            try (JSON.encode(Secrets.scrub(intent.json)) + "\n")
                .write(toFile: progressFile(intent.id), atomically: true, encoding: .utf8)
        } catch {
            throw JournalProblem("cannot write \(progressFile(intent.id)): \(systemReason(error))")
        }
        let written = await record(intent, environments: intent.environments)
        if let problem = written.problems.first { throw JournalProblem(problem) }
        for (environment, journal) in tables {
            do { try await journal.markRunning(intent, environment: environment.name) } catch {
                throw JournalProblem("cannot mark the apply running in \(journal.place): \(error)")
            }
        }
    }

    /// One finished write, appended to the progress file and added to each lock table's entry.
    func progress(_ intent: JournalEntry, index: Int, outcome: JournalEntry.Written, error: String?) async {
        var line: [String: Value] = ["index": .int(index), "outcome": .string(outcome.rawValue)]
        if let error { line["error"] = .string(error) }
        // Appended to the file `begin` made; no file (removed meanwhile), no line.
        let descriptor = open(progressFile(intent.id), O_WRONLY | O_APPEND | O_CLOEXEC)
        if descriptor >= 0 {
            StandardStream(descriptor: descriptor).write(JSON.encode(Secrets.scrub(.map(line))) + "\n")
            close(descriptor)
        }
        for (environment, journal) in tables where intent.environments.contains(environment.name) {
            try? await journal.recordProgress(intent, environment: environment.name, index: index, outcome: outcome)
        }
    }

    /// The entry the apply ends with, over its intent; the progress file and running marks go.
    func finish(_ entry: JournalEntry) async -> JournalRecord {
        let written = await record(entry, environments: entry.environments)
        // The file goes once the note holds the end; without a note it is the only local record.
        if loaded.commit == nil || written.inNote {
            try? FileManager.default.removeItem(atPath: progressFile(entry.id))
        }
        for (environment, journal) in tables where entry.environments.contains(environment.name) {
            try? await journal.clearRunning(environment: environment.name, id: entry.id)
        }
        return written
    }

    /// Applies of these environments that started and never ended (the process
    /// died), closed in the journal as `interrupted`. Call it holding the locks.
    func closeInterrupted() async -> [JournalEntry] {
        var found: [String: JournalEntry] = [:]
        let names = Set(loaded.state.environments.map(\.name))
        for file in (try? FileManager.default.contentsOfDirectory(atPath: progressDirectory)) ?? []
        where file.hasSuffix(".jsonl") {
            guard let entry = Self.readProgress(progressDirectory + "/" + file),
                !names.isDisjoint(with: entry.environments)
            else {
                continue
            }
            found[entry.id] = entry
        }
        for (environment, journal) in tables {
            guard let entry = try? await journal.runningEntry(environment: environment.name) else { continue }
            // The local file has every write and its error; the table's copy is what survives the runner.
            if found[entry.id] == nil { found[entry.id] = entry }
        }
        var closed: [JournalEntry] = []
        for entry in found.values.sorted(by: { $0.time < $1.time }) {
            _ = await finish(entry)
            closed.append(entry)
        }
        return closed
    }

    /// An intent and its progress lines, closed as interrupted.
    static func readProgress(_ path: String) -> JournalEntry? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard let first = lines.first, let intent = (try? JSON.parse(String(first))).flatMap(JournalEntry.init(json:))
        else {
            return nil
        }
        var progress: [Int: (JournalEntry.Written, String?)] = [:]
        var startsRecorded = false
        for line in lines.dropFirst() {
            // A line cut short by the kill is not a record.
            guard let json = try? JSON.parse(String(line)), let index = json["index"]?.int,
                  let outcome = json["outcome"]?.string.flatMap(JournalEntry.Written.init) else { continue }
            progress[index] = (outcome, json["error"]?.string)
            startsRecorded = startsRecorded || outcome == .unknown
        }
        return intent.interrupted(progress: progress, startsRecorded: startsRecorded)
    }

    /// Writes the entry as a git note on its commit and into each lock table of its environments.
    func record(_ entry: JournalEntry, environments: [String]) async -> JournalRecord {
        var written = JournalRecord()
        let commit = String(entry.revision.prefix { $0 != "+" })
        if loaded.commit != nil {
            do {
                let journal = Journal(repositoryPath: loaded.repositoryRoot)
                try await onOwnThread { try journal.record(entry, on: commit) }  // it may wait for another writer
                written.places.append("a note on \(commit.prefix(12)) (\(Journal.notesRef))")
                written.inNote = true
            } catch {
                written.problems.append("the journal note could not be written: \(error)")
            }
        }
        for (environment, journal) in tables where environments.contains(environment.name) {
            do {
                try await journal.record(entry, environment: environment.name)
                written.places.append(journal.place)
            } catch {
                written.problems.append("the journal entry could not be written to \(journal.place): \(error)")
            }
        }
        return written
    }
}

/// The journal could not be written: the apply writes nothing.
public struct JournalProblem: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
