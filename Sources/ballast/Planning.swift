import BallastAWS
import BallastCore
import BallastEngine
import Foundation

/// Load, refuse mistakes, read live values, plan: shared by plan, apply, rollback and revert.
enum Planning {
    static func load(_ source: RepositoryOptions) throws -> LoadedState {
        let loaded = try Failure.guarding { try source.load() }
        try Failure.refuseMistakes(loaded)
        return loaded
    }

    static func read(_ loaded: LoadedState, setup: AWSSetup) async throws -> Plan {
        let progress = Progress(label: "reading live settings")
        let report = await detector(setup, progress: progress.update).detect(loaded.state, revision: loaded.revision)
        progress.finish()
        var plan = Planner.plan(report)
        plan.policy = PolicyEngine(loaded.policies).check(loaded.state, changes: plan.changes, drift: report)
        return plan
    }

    static func detector(_ setup: AWSSetup, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) -> DriftDetector {
        DriftDetector(client: { setup.client(region: $0) }, progress: progress)
    }

    /// The account the credentials belong to, for the plan file; nil when STS cannot say.
    static func account(_ loaded: LoadedState, setup: AWSSetup) async -> String? {
        let region = loaded.state.environments.first?.region ?? setup.region()?.name ?? "us-east-1"
        return try? await setup.client(region: region).query(.sts, "GetCallerIdentity").child("Account")?.text
    }
}

/// A plan saved by `ballast plan --out`.
struct SavedPlan {
    var revision: String
    var environments: [String]
    var account: String?
    var changes: [PlannedChange]
    var checksum: String
}

/// The saved plan: the JSON report with `changes`, the account, a format version and a checksum.
enum PlanFile {
    static let version = 1

    static func write(_ plan: Plan, account: String?, to path: String) throws {
        guard case .map(var fields) = plan.json else { return }
        fields["planFormat"] = .int(version)
        if let account { fields["account"] = .string(account) }
        fields["checksum"] = .string(checksum(.map(fields)))
        do {
            try (JSON.encode(.map(fields), pretty: true) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw LoadError("cannot write the plan to \(path): \(error.localizedDescription)")
        }
    }

    /// A damaged or edited file is refused.
    static func read(_ path: String) throws -> SavedPlan {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), case .map(var fields)? = try? JSON.parse(text) else {
            throw LoadError("\(path): not a ballast plan file")
        }
        guard fields["planFormat"] == .int(version) else { throw LoadError("\(path): plan format \(fields["planFormat"] ?? .null) is not \(version)") }
        let stated = fields.removeValue(forKey: "checksum")?.string
        guard let stated, stated == checksum(.map(fields)) else {
            throw LoadError("\(path): checksum does not match; the plan was edited or damaged")
        }
        return SavedPlan(revision: fields["revision"]?.string ?? "HEAD",
                         environments: (fields["environments"]?.list ?? []).compactMap { $0["name"]?.string },
                         account: fields["account"]?.string,
                         changes: (fields["changes"]?.list ?? []).compactMap(PlannedChange.init(json:)),
                         checksum: stated)
    }

    static func checksum(_ value: Value) -> String {
        Checksum.sha256Hex(Array(JSON.encode(value).utf8))
    }
}
