import ArgumentParser
import BallastAdapters
import BallastAWS
import BallastCore
import BallastEngine
import FoundationEssentials

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the apply journal, newest first.",
        discussion: """
            Every apply, rollback and revert --apply: when, which revision, who, the outcome and \
            each change with its before and after values. The journal is kept as git notes under \
            refs/notes/ballast (share it with `git push origin refs/notes/ballast`); with \
            --from-lock-table it is read from the environments' DynamoDB lock tables instead.

            EXAMPLES:
              ballast history --env prod
              ballast history --output json --limit 20
              git fetch origin refs/notes/ballast:refs/notes/ballast && ballast history
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(
        name: .long,
        help: ArgumentHelp("Only this environment (repeat or comma-separate for several).", valueName: "name"))
    var env: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("The git repository (default: the one around the current directory).", valueName: "path"))
    var repo: String?

    @Option(name: .long, help: ArgumentHelp("text or json.", valueName: "format"))
    var output: Format = .text

    @Option(name: .long, help: ArgumentHelp("Show at most this many entries.", valueName: "n"))
    var limit: Int?

    @Flag(name: .long, help: "Read the journal from the environments' lock tables (DynamoDB) instead of git notes.")
    var fromLockTable = false

    func run() async throws {
        let path = repo ?? FileManager.default.currentDirectoryPath
        let wanted = Set(env.flatMap { $0.split(separator: ",").map(String.init) })
        var entries =
            try await fromLockTable
            ? lockTableEntries(path, wanted) : Failure.guarding { try Journal(repositoryPath: path).entries() }
        if !wanted.isEmpty { entries.removeAll { Set($0.environments).isDisjoint(with: wanted) } }
        if let limit { entries = Array(entries.prefix(limit)) }
        switch output {
        case .json:
            Terminal.write(
                JSON.encode(
                    ["schemaVersion": 1, "command": "history", "entries": .list(entries.map(\.json))], pretty: true)
                    + "\n")
        case .text:
            if entries.isEmpty {
                Terminal.out(
                    "No applies journaled\(wanted.isEmpty ? "" : " for \(wanted.sorted().joined(separator: ", "))").")
            }
            for entry in entries { Terminal.out(Self.describe(entry)) }
        }
    }

    func lockTableEntries(_ path: String, _ wanted: Set<String>) async throws -> [JournalEntry] {
        let loaded = try Failure.guarding { try RepositoryOptions.head(repo: path, environments: wanted.sorted()) }
        let setup = AWSSetup()
        var entries: [JournalEntry] = []
        for environment in loaded.state.environments {
            guard let table = environment.lockTable else {
                Terminal.note("\(environment.name) has no lockTable; its journal is in git notes only")
                continue
            }
            do {
                entries += try await setup.lockTables(table, environment).entries(environment: environment.name)
            } catch {
                Terminal.error("cannot read the journal in lock table \(table): \(error)")
                throw Failure.error
            }
        }
        var seen = Set<String>()
        return Journal.newestFirst(entries.filter { seen.insert($0.id).inserted })
    }

    /// `2026-11-23T07:00:00Z  rollback  prod  3f2c9a1e4b5d  alice  applied (2 of 2)` and a line per change.
    static func describe(_ entry: JournalEntry) -> String {
        let applied = entry.changes.filter { $0.outcome == .applied }.count
        var lines = [
            "\(Timestamp.iso8601(entry.time))  \(entry.kind.rawValue)  \(entry.environments.joined(separator: ","))  "
                + "\(entry.revision.prefix(12))  \(entry.actor)  \(entry.outcome.rawValue) (\(applied) of "
                + "\(entry.changes.count) applied)"
        ]
        if let related = entry.relatedCommit {
            lines.append("    \(entry.kind == .revert ? "reverts" : "rolled back from") \(related.prefix(12))")
        }
        if let reason = entry.windowOverride { lines.append("    outside the change window: \(reason)") }
        for item in entry.changes {
            let values = item.change.set.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.from?.description ?? "(none)") -> \($0.value.to.description)" }.joined(
                    separator: ", ")
            let failure = item.error.map { ": \($0)" } ?? ""
            let outcome = Figures.padded(item.outcome.rawValue, to: 13)
            lines.append("    \(outcome) \(item.change.key.type) \(item.change.id)  \(values)\(failure)")
        }
        for resource in entry.unfixable { lines.append("    cannot fix    \(resource): it does not exist") }
        return lines.joined(separator: "\n")
    }
}
