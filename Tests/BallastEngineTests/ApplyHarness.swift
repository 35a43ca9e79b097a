import BallastCrypto
import BallastAdapters
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import BallastTestSupport
import Foundation

/// An `ApplyRun` on a test repository against the shared moto server: approves
/// every confirmation, collects events, and runs at a fixed clock.
struct ApplyHarness {
    let repo: TempRepository
    let setup = AWSSetup(environment: MotoServer.shared.environment)
    let events = Locked<[String]>([])

    func loaded(revision: String = "HEAD") throws -> LoadedState {
        try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path, revision: revision))
    }

    var run: ApplyRun { run() }

    func run(clock: @escaping @Sendable () -> Date = { Date() },
        confirm: @escaping @Sendable (Int) async -> Bool = { _ in true },
             locks: (@Sendable (Environment, LockOwner) -> any ApplyLock)? = nil) -> ApplyRun {
        let (events, setup) = (events, setup)
        return ApplyRun(kinds: .builtIn, clients: setup.clients, lockTables: setup.lockTables, locks: locks,
                        gitDirectory: repo.path + "/.git",
                        clock: clock, confirm: confirm,
                        events: { event in
                            if case .note(let text) = event { events.update { $0.append(text) } }
                        },
                        actor: "tester")
    }

    /// A plan of HEAD, saved as `ballast plan --out` saves it.
    func savePlan(key: [UInt8]? = nil) async throws -> String {
        let setup = setup
        let detector = DriftDetector(kinds: .builtIn, clients: setup.clients, lockTables: setup.lockTables)
        let plan = await Planner.plan(try loaded(), detector: detector)
        let path = repo.path + "/plan-\(UUID().uuidString.prefix(6)).json"
        try PlanFile.write(plan, account: MotoServer.account, key: key, to: path)
        return path
    }

    func apply(_ path: String, key: [UInt8]? = nil) async throws -> ApplyResult {
        let saved = try PlanFile.read(path, key: key, kinds: .builtIn).plan
        return await run.run(try loaded(revision: saved.revision), ApplyRequest(saved: saved))
    }
}

extension MotoServer {
    /// The account moto answers GetCallerIdentity with.
    static let account = "123456789012"
}

/// What someone who can touch a plan file can do: edit it and recompute its checksum.
enum Forger {
    static func edit(_ path: String, _ change: (inout [String: Value]) -> Void) throws {
        guard case .map(var fields) = try JSON.parse(try String(contentsOfFile: path, encoding: .utf8)) else { return }
        fields["checksum"] = nil
        fields["mac"] = nil
        change(&fields)
        fields["checksum"] = .string(Checksum.sha256Hex(Array(JSON.encode(.map(fields)).utf8)))
        try JSON.encode(.map(fields), pretty: true).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Edits change `index`'s JSON.
    static func editChange(_ path: String, _ index: Int = 0,
        _ change: @escaping (inout [String: Value]) -> Void) throws {
        try edit(path) { fields in
            guard var changes = fields["changes"]?.list, case .map(var item) = changes[index] else { return }
            change(&item)
            changes[index] = .map(item)
            fields["changes"] = .list(changes)
        }
    }

    static func setPath(_ item: inout [String: Value], _ path: String, from: Value, to: Value) {
        guard case .map(var set)? = item["set"] else { return }
        set[path] = ["from": from, "to": to]
        item["set"] = .map(set)
    }
}

extension ApplyResult {
    var forged: [String]? { if case .refused(.forged(let lines)) = self { lines } else { nil } }
    var stale: [String]? { if case .refused(.stale(let lines)) = self { lines } else { nil } }
    var wrongAccount: String? { if case .refused(.wrongAccount(let why)) = self { why } else { nil } }
    var entry: JournalEntry? { if case .finished(let entry, _) = self { entry } else { nil } }
}
