import BallastCore
import BallastKinds
import FoundationEssentials

/// `ballast report merge`: one report from the JSON reports of a sharded run, as if one
/// run had made it. Refuses reports of different revisions or commands, a missing or
/// repeated shard, and reports that are not shards of one run. A shard file is untrusted
/// (it travels as an artifact): a resource in two shards or in a shard its identity does not
/// hash to is refused, each status is recomputed from its differences, and with a key every
/// shard's MAC must match.
public enum ReportMerge {
    /// `reports` as (file name, parsed JSON); `key` is `BALLAST_PLAN_KEY`'s. Returns the merged
    /// plan and notes for the user.
    public static func merge(_ reports: [(name: String, json: Value)], key: [UInt8]? = nil,
                             kinds: Kinds) throws(ReportMergeError)
        -> (plan: Plan, notes: [String]) {
        var parts: [(report: DriftReport, json: Value)] = []
        var notes: [String] = []
        for (name, json) in reports {
            if let key {
                try ReportSignature.verify(json, key: key, name: name)
            } else if json["mac"] != nil {
                notes.append("\(name) carries a MAC, but \(PlanFile.keyVariable) is not set here, so it was not "
                    + "checked")
            }
            do { parts.append((try DriftReport(json: json), json)) } catch {
                throw ReportMergeError("\(name): \(error)")
            }
        }
        guard let first = parts.first?.report else { throw ReportMergeError("no reports to merge") }
        if let other = parts.first(where: { $0.report.revision != first.revision }) {
            throw ReportMergeError("the reports are of different revisions (\(first.revision.prefix(12)) and "
                + "\(other.report.revision.prefix(12))): run every shard on the same commit")
        }
        if let other = parts.first(where: { $0.report.command != first.command }) {
            throw ReportMergeError("the reports are of different commands (\(first.command) and "
                + "\(other.report.command))")
        }
        try checkShards(parts.map(\.report))
        try checkMembership(parts.map(\.report), names: reports.map(\.name))

        var environments: [EnvironmentDrift] = []
        for report in parts.map(\.report) {
            for var environment in report.environments {
                environment.resources = environment.resources.map(recomputed)
                if let index = environments.firstIndex(where: { $0.name == environment.name }) {
                    environments[index].resources += environment.resources
                } else {
                    environments.append(environment)
                }
            }
        }
        for index in environments.indices {
            // A run lists resources in file order; each shard kept that order for its own.
            environments[index].resources = environments[index].resources.enumerated().sorted { a, b in
                let (x, y) = (a.element.resource.source, b.element.resource.source)
                return (x.file, x.line, a.offset) < (y.file, y.line, b.offset)
            }.map(\.element)
        }
        environments.sort { $0.name < $1.name }
        var report = DriftReport(command: first.command, revision: first.revision,
                                 generatedAt: parts.map(\.report.generatedAt).max() ?? first.generatedAt,
                                 environments: environments)
        report.warnings = Array(Set(parts.flatMap(\.report.warnings))).sorted()

        let changes = parts.flatMap { part in
            (part.json["changes"]?.list ?? []).compactMap {
                PlannedChange(json: $0, kinds: kinds.kind(for:))
            }
        }.sorted { ($0.key, $0.call) < ($1.key, $1.call) }
        var policy: [PolicyResult] = []
        for result in parts.flatMap({ ($0.json["policy"]?.list ?? []).compactMap(PolicyResult.init(json:)) })
        where !policy.contains(result) {  // an expired waiver is reported by every shard
            policy.append(result)
        }
        policy.sort { a, b in
            (a.source?.file ?? "", a.source?.line ?? 0, a.resource, a.policy)
                < (b.source?.file ?? "", b.source?.line ?? 0, b.resource, b.policy)
        }
        var plan = Plan(report: report, changes: changes)
        plan.policy = policy
        var conflicts: [String] = []
        let found = parts.flatMap { ($0.json["conflicts"]?.list ?? []).compactMap(\.string) }
        for conflict in found where !conflicts.contains(conflict) {
            conflicts.append(conflict)
        }
        plan.conflicts = conflicts
        return (plan, notes)
    }

    /// A status as its differences say: a shard that claims IN_SYNC while listing differences
    /// (or MODIFIED with none) is taken at its differences. DELETED and NOT_CHECKED stand.
    static func recomputed(_ drift: ResourceDrift) -> ResourceDrift {
        guard drift.status == .inSync || drift.status == .modified else { return drift }
        var fixed = drift
        fixed.status = drift.differences.isEmpty ? .inSync : .modified
        return fixed
    }

    /// Each resource once, in the shard its environment, type and identity hash to.
    static func checkMembership(_ reports: [DriftReport], names: [String]) throws(ReportMergeError) {
        var seen: [ResourceKey: String] = [:]
        for (report, name) in zip(reports, names) {
            for environment in report.environments {
                for drift in environment.resources {
                    let resource = drift.resource
                    let label = "\(resource.type) \(drift.displayId) in \(environment.name)"
                    if let earlier = seen.updateValue(name, forKey: drift.key) {
                        throw ReportMergeError("\(label) is in two reports (\(earlier) and \(name)): "
                            + "a shard was copied or edited")
                    }
                    if let shard = report.shard, !shard.contains(resource) {
                        let owner = Shard.slot(resource, of: shard.count)
                        throw ReportMergeError("\(label) is in shard \(shard.description)'s report (\(name)), "
                            + "but belongs to shard \(owner)/\(shard.count): the report was edited")
                    }
                }
            }
        }
    }

    /// Exactly shards 1...N of one N; a single report that is not a shard merges as itself.
    static func checkShards(_ reports: [DriftReport]) throws(ReportMergeError) {
        let shards = reports.compactMap(\.shard)
        if shards.isEmpty, reports.count == 1 { return }
        guard shards.count == reports.count else {
            throw ReportMergeError("only reports of a sharded run (--shard I/N, --out-json) can be merged; "
                + "\(reports.count - shards.count) of these are not shards")
        }
        let counts = Set(shards.map(\.count))
        guard counts.count == 1, let count = counts.first else {
            let splits = counts.sorted().map { "/\($0)" }.joined(separator: ", ")
            throw ReportMergeError("the reports are shards of different splits (\(splits))")
        }
        let indices = shards.map(\.index)
        let repeated = Set(indices.filter { index in indices.filter { $0 == index }.count > 1 }).sorted()
        if !repeated.isEmpty {
            throw ReportMergeError("shard \(repeated.map { "\($0)/\(count)" }.joined(separator: ", ")) given "
                + "more than once")
        }
        let missing = (1...count).filter { !indices.contains($0) }
        if !missing.isEmpty {
            let named = missing.map { "\($0)/\(count)" }.joined(separator: ", ")
            throw ReportMergeError("missing shard \(named): a merged report "
                + "would leave its resources out")
        }
    }

    /// The exit code one run would have given (spec section 3).
    public static func exitCode(_ plan: Plan) -> Int32 {
        plan.report.command == "plan" ? plan.exitCode : plan.report.exitCode
    }
}

/// Why shard reports cannot be merged into one (or a shard report cannot be trusted).
public struct ReportMergeError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
