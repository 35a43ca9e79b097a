import BallastCore

/// `ballast drift --publish-metrics`: the counts of a drift run as CloudWatch metrics
/// (namespace `Ballast`, dimension `Environment`), so teams alarm on drift with the
/// alarms they already run.
public enum DriftMetrics {
    public static let namespace = "Ballast"

    /// One PutMetricData per environment, in its region; returns what failed.
    public static func publish(_ report: DriftReport, client: @Sendable (String) -> any AWSAPI) async -> [String] {
        var problems: [String] = []
        for environment in report.environments {
            let summary = DriftSummary(environment.resources)
            let counts = [("InSyncResources", summary.inSync), ("DriftedResources", summary.modified),
                          ("DeletedResources", summary.deleted), ("NotCheckedResources", summary.notChecked)]
            var parameters = ["Namespace": namespace]
            for (index, (name, count)) in counts.enumerated() {
                let member = "MetricData.member.\(index + 1)."
                parameters[member + "MetricName"] = name
                parameters[member + "Value"] = String(count)
                parameters[member + "Unit"] = "Count"
                parameters[member + "Dimensions.member.1.Name"] = "Environment"
                parameters[member + "Dimensions.member.1.Value"] = environment.name
            }
            do {
                _ = try await client(environment.region).query(.putMetricData, parameters)
            } catch {
                problems.append("metrics for \(environment.name) were not published: \(error)")
            }
        }
        return problems
    }
}
