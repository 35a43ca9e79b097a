import BallastAWS
import BallastCore
import BallastEngine

/// The read plan said with ballast's request rates (`--dry-run-reads`): the rate table is the AWS
/// adapter's, so the engine's plan of calls is priced here, at the edge.
extension ReadPlan {
    /// The shortest time `rates` allow for these calls: each (account, region, bucket) sends
    /// its calls at its rate after its burst, all buckets at once; the slowest decides.
    func minimumSeconds(at rates: RequestRates) -> Double {
        var calls: [String: (key: String, count: Int)] = [:]
        for group in groups {
            let principal = AWSSetup.principal(of: group.role.map { RoleToAssume(roleArn: $0) })
            for (operation, count) in group.calls {
                let key = rates.key(operation)
                calls["\(principal) \(group.region) \(key)", default: (key, 0)].count += count
            }
        }
        return calls.values.map { bucket in
            let rate = rates.rate(forKey: bucket.key)
            return max(0, Double(bucket.count) - rate.burst) / rate.perSecond
        }.max() ?? 0
    }

    /// With `rates`, the time they allow for the calls is said too.
    func text(at rates: RequestRates? = nil) -> String {
        var lines = ["Reads planned (no call made): \(total) call\(total == 1 ? "" : "s") for "
            + "\(groups.reduce(0) { $0 + $1.resources }) resources"]
        if let rates, rates.unpacedInFlight == nil {
            // Under a tenth of a second is said as such: "at least 0.0 s" bounds nothing.
            let seconds = minimumSeconds(at: rates)
            lines.append("At ballast's request rates (BALLAST_API_RATES), "
                + (seconds < 0.1 ? "the burst allowances cover every call: no wait for pacing"
                    : "at least \(Figures.fixed(seconds, digits: 1)) s"))
        }
        lines.append("")
        for group in groups {
            let who = group.role.map { "as \(UntrustedText.line($0))" } ?? "as the credential chain's identity"
            lines.append("\(group.environments.map(UntrustedText.line).joined(separator: ", "))  "
                + "(\(UntrustedText.line(group.region)), \(who)): \(group.resources) resources")
            for (operation, count) in group.calls.sorted(by: { $0.key.call < $1.key.call }) {
                let action = operation.call
                let width = max(50, action.count + 2)
                lines.append("  " + Figures.padded(action, to: width) + String(count))
            }
            for (type, count) in group.cloudControl.sorted(by: { $0.key < $1.key }) {
                lines.append("  via cloudcontrol: \(type), \(count) resource\(count == 1 ? "" : "s"), "
                    + "one GetResource each (the rest via native kinds)")
            }
        }
        if let rates, rates.unpacedInFlight == nil {
            lines += ["", "Request rates (per account and region; where each number comes from):"]
            let keys = Set(groups.flatMap { $0.calls.keys.map(rates.key) })
            for key in keys.sorted() {
                let rate = rates.rate(forKey: key)
                let figures = "\(Figures.general(rate.perSecond))/s, burst \(Figures.general(rate.burst))"
                lines.append("  " + Figures.padded(key, to: max(34, key.count + 2))
                    + Figures.padded(figures, to: 22) + rate.sourceText)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
