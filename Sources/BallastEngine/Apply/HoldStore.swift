import BallastCrypto
import BallastCore
import BallastDesiredState
import BallastGit
import FoundationEssentials

/// Where holds are kept: where each environment keeps its journal. With a lock table, an item
/// `ballast/hold/<env>/<id>` per hold, so every runner sees the same holds; without one, JSON lines
/// in a git note under `refs/notes/ballast-holds` (push that ref to share them, as the journal's).
/// With `BALLAST_PLAN_KEY` set a hold carries a MAC, and one without a matching MAC is ignored
/// with a warning: a hold is text anyone who can write the note or the table can edit.
public struct HoldStore: Sendable {
    public static let notesRef = "refs/notes/ballast-holds"
    let repositoryPath: String
    let environments: [Environment]
    let lockTables: LockTables
    let key: [UInt8]?

    public init(repositoryPath: String, environments: [Environment], lockTables: @escaping LockTables,
                key: [UInt8]?) {
        self.repositoryPath = repositoryPath
        self.environments = environments
        self.lockTables = lockTables
        self.key = key
    }

    /// What was read: the holds that count, and what was ignored or could not be read.
    public struct Read: Sendable {
        public var holds: [Hold] = []
        public var warnings: [String] = []
    }

    /// Every hold of the environments, newest first; an edited or unsigned one (with a key) left out.
    public func read() async -> Read {
        var read = Read()
        var found: [Hold] = []
        if environments.contains(where: { $0.lockTable == nil }) {
            do {
                found += try notes().filter { hold in environments.contains { $0.name == hold.resource.environment } }
            } catch {
                read.warnings.append("holds not read from git notes (\(Self.notesRef)): \(error)")
            }
        }
        for environment in environments {
            guard let table = environment.lockTable else { continue }
            do { found += try await lockTables(table, environment).holds(environment: environment.name) } catch {
                read.warnings.append("holds of \(environment.name) not read from lock table \(table): "
                    + String("\(error)".prefix(300)))
            }
        }
        for hold in found {
            if let key, hold.mac.map({ Checksum.constantTimeEqual($0, Self.mac(hold, key: key)) }) != true {
                let why = hold.mac == nil ? "it is unsigned" : "its MAC does not match"
                read.warnings.append("hold \(UntrustedText.line(hold.id)) on \(hold.resource.type) "
                    + "\(UntrustedText.line(hold.resource.id)) is ignored: \(why) and \(PlanFile.keyVariable) is set")
                continue
            }
            read.holds.append(hold)
        }
        read.holds.sort { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        return read
    }

    /// Keeps a new hold (signed when a key is set).
    public func add(_ hold: Hold) async throws {
        var signed = hold
        if let key { signed.mac = Self.mac(hold, key: key) }
        try await write(signed)
    }

    /// Ends a hold now; nil when no hold has that id.
    public func release(_ id: String, by: String, at time: Date) async throws -> Hold? {
        guard var hold = await read().holds.first(where: { $0.id == id }) else { return nil }
        hold.releasedAt = time
        hold.releasedBy = by
        try await write(hold)
        return hold
    }

    /// Remembers that a report named these ended holds, so the next one does not.
    public func reportedEnded(_ ids: [String], among holds: [Hold]) async throws {
        for var hold in holds where ids.contains(hold.id) && !hold.endReported {
            hold.endReported = true
            try await write(hold)
        }
    }

    static func mac(_ hold: Hold, key: [UInt8]) -> String {
        PlanFile.mac(key: key, Array(JSON.encode(hold.signed).utf8))
    }

    func write(_ hold: Hold) async throws {
        guard let environment = environments.first(where: { $0.name == hold.resource.environment }) else {
            throw HoldError("no environment \(hold.resource.environment) to keep the hold in")
        }
        if let table = environment.lockTable {
            try await lockTables(table, environment).keep(hold)
            return
        }
        do throws(GitError) {
            let repository = try GitRepository(discoveringFrom: repositoryPath)
            let commit = try repository.commit("HEAD")
            try repository.appendNote(ref: Self.notesRef, commit: commit, line: JSON.encode(hold.json))
        } catch {
            throw HoldError("holds: \(error.message)")
        }
    }

    /// The holds in the notes: each line a hold as it was last written (a later line wins).
    func notes() throws -> [Hold] {
        let repository: GitRepository
        let notes: [(commit: String, text: String)]
        do throws(GitError) {
            repository = try GitRepository(discoveringFrom: repositoryPath)
            notes = try repository.notes(ref: Self.notesRef)
        } catch { throw HoldError(error.message) }
        var latest: [String: Hold] = [:]
        for note in notes {
            for line in note.text.split(separator: "\n") {
                guard let hold = (try? JSON.parse(String(line))).flatMap(Hold.init(json:)) else { continue }
                if let known = latest[hold.id], Self.rank(known) > Self.rank(hold) { continue }
                latest[hold.id] = hold
            }
        }
        return Array(latest.values)
    }

    /// Later states win whatever order notes come in: made, then ended and said, then released.
    static func rank(_ hold: Hold) -> Int { (hold.releasedAt != nil ? 2 : 0) + (hold.endReported ? 1 : 0) }
}

/// A hold could not be kept or read.
public struct HoldError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}

/// What `ballast hold` may hold: a declared resource and properties it owns.
public enum Holding {
    /// The resource `--env --type --id [--region]` names and the property paths `--property` names
    /// (as JSON Pointers; `DesiredCapacity` and `/DesiredCapacity` alike), each an owned property;
    /// a precise error otherwise.
    public static func target(in loaded: LoadedState, environment: String, type: String, id: String, region: String?,
                              properties: [String]) throws(HoldError) -> (DesiredResource, [String]) {
        guard let declared = loaded.state.environments.first(where: { $0.name == environment }) else {
            throw HoldError("no environment \(environment) in desired-state/"
                + Suggestion.hint(for: environment, in: loaded.state.environments.map(\.name)))
        }
        let matching = declared.resources.filter { resource in
            resource.type == type && (region == nil || resource.region == region)
                && resource.identity.description == id
        }
        guard let resource = matching.first else {
            let ids = declared.resources.filter { $0.type == type }.map(\.identity.description)
            throw HoldError("\(environment) declares no \(type) \(UntrustedText.line(id))"
                + (region.map { " in \($0)" } ?? "") + Suggestion.hint(for: id, in: ids)
                + ": a hold keeps a hand change to a resource the repository owns")
        }
        guard matching.count == 1 else {
            throw HoldError("\(type) \(id) is declared in several regions of \(environment): name one with --region")
        }
        let leaves = resource.leaves.map(\.path)
        var paths: [String] = []
        for property in properties {
            let path = PropertyPath.argument(property)
            guard leaves.contains(where: { $0 == path || $0.hasPrefix(path + "/") }) else {
                throw HoldError("\(type) \(id) does not own \(UntrustedText.line(property)): it declares "
                    + leaves.map(PropertyPath.readable).joined(separator: ", "))
            }
            paths.append(path)
        }
        return (resource, paths)
    }
}
