import BallastCore
import BallastDesiredState

/// What `ballast import` may write: every resource as `validate` would check it, alone in its
/// environment, and each identity once. A value the desired state cannot hold (a number out of
/// its range, text where a number belongs, a log group that never expires and so has no owned
/// value at all) is skipped with the reason, never written for `validate` to reject later.
public struct ImportCheck: Sendable {
    public var kept: [ImportedResource] = []
    /// `origin: reason`, as the command prints them.
    public var skipped: [String] = []

    /// `environment` is the environment's folder name, `region` its region.
    public init(_ resources: [ImportedResource], environment: String, region: String, writer: ImportWriter,
                loader: DesiredStateLoader) {
        var seen: [ResourceKey: String] = [:]
        let folder = SourceFiles.desiredStateFolder + "/" + environment
        let environmentFile = Array("region: \(JSON.encode(.string(region)))\n".utf8)
        for resource in resources {
            let label = "\(resource.type) \(resource.identity)"
            if resource.properties.isEmpty {
                skipped.append("\(resource.origin): \(label) has no value of a property ballast owns to keep")
                continue
            }
            let key = resource.key(environment: environment, region: region)
            if let first = seen[key] {
                skipped.append("\(resource.origin): \(label) is imported already from \(first)")
                continue
            }
            let file = folder + "/import-check.yaml"
            let decoded = try? loader.decode(SourceFiles(desiredState: [
                folder + "/environment.yaml": environmentFile,
                file: Array(writer.document([resource]).utf8),
            ]))
            let problems = decoded.map { $0.diagnostics.map(\.message) } ?? ["it could not be checked"]
            if let problem = problems.first {
                skipped.append("\(resource.origin): \(label) cannot be written as desired state: \(problem)")
                continue
            }
            seen[key] = resource.origin
            kept.append(resource)
        }
    }
}
