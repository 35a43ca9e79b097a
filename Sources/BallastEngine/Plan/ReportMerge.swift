import BallastCore
import Foundation

/// `ballast report merge`: one report from the JSON reports of a sharded run, as if one
/// run had made it. Refuses reports of different revisions or commands, a missing or
/// repeated shard, and reports that are not shards of one run.
public enum ReportMerge {
    public static func merge(_ reports: [Value]) throws(LoadError) -> Plan {
        var parts: [(report: DriftReport, json: Value)] = []
        for json in reports {
            do { parts.append((try DriftReport(json: json), json)) } catch { throw LoadError("\(error)") }
        }
        guard let first = parts.first?.report else { throw LoadError("no reports to merge") }
        if let other = parts.first(where: { $0.report.revision != first.revision }) {
            throw LoadError("the reports are of different revisions (\(first.revision.prefix(12)) and "
                + "\(other.report.revision.prefix(12))): run every shard on the same commit")
        }
        if let other = parts.first(where: { $0.report.command != first.command }) {
            throw LoadError("the reports are of different commands (\(first.command) and \(other.report.command))")
        }
        try checkShards(parts.map(\.report))

        var environments: [EnvironmentDrift] = []
        for report in parts.map(\.report) {
            for environment in report.environments {
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

        let changes = parts.flatMap { ($0.json["changes"]?.list ?? []).compactMap(PlannedChange.init(json:)) }
            .sorted { ($0.environment, $0.type, $0.id, $0.call) < ($1.environment, $1.type, $1.id, $1.call) }
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
        return plan
    }

    /// Exactly shards 1...N of one N; a single report that is not a shard merges as itself.
    static func checkShards(_ reports: [DriftReport]) throws(LoadError) {
        let shards = reports.compactMap(\.shard)
        if shards.isEmpty, reports.count == 1 { return }
        guard shards.count == reports.count else {
            throw LoadError("only reports of a sharded run (--shard I/N, --out-json) can be merged; "
                + "\(reports.count - shards.count) of these are not shards")
        }
        let counts = Set(shards.map(\.count))
        guard counts.count == 1, let count = counts.first else {
            let splits = counts.sorted().map { "/\($0)" }.joined(separator: ", ")
            throw LoadError("the reports are shards of different splits (\(splits))")
        }
        let indices = shards.map(\.index)
        let repeated = Set(indices.filter { index in indices.filter { $0 == index }.count > 1 }).sorted()
        if !repeated.isEmpty {
            throw LoadError("shard \(repeated.map { "\($0)/\(count)" }.joined(separator: ", ")) given more than once")
        }
        let missing = (1...count).filter { !indices.contains($0) }
        if !missing.isEmpty {
            let named = missing.map { "\($0)/\(count)" }.joined(separator: ", ")
            throw LoadError("missing shard \(named): a merged report "
                + "would leave its resources out")
        }
    }

    /// The exit code one run would have given (spec section 3).
    public static func exitCode(_ plan: Plan) -> Int32 {
        plan.report.command == "plan" ? plan.exitCode : plan.report.exitCode
    }
}
