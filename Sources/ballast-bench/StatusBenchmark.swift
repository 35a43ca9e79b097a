import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import BallastRender
import BallastTestSupport
import Foundation

/// The status page at fleet scale, without AWS: a repository of `resources` in files of 50, with `commits`
/// commits each changing one file, a report with a tenth of them drifted; what a request costs: the
/// repository's history for one resource (a resource page) and for all (`/api/status.json`), and each page's
/// rendering and size.
enum StatusBenchmark {
static func run(_ arguments: [Int]) throws {
let count = arguments.count > 0 ? arguments[0] : 2_000
let commits = arguments.count > 1 ? arguments[1] : 100
let perFile = 50
let repo = try TempRepository()
var files = ["desired-state/prod/environment.yaml": "region: us-east-1\n"]
func text(_ file: Int) -> String {
    "resources:\n" + (0..<perFile).map { LoadBenchmark.resource(file * perFile + $0) }.joined()
}
let fileCount = max(1, count / perFile)
for f in 0..<fileCount { files["desired-state/prod/services-\(f).yaml"] = text(f) }
try repo.commit(files, message: "declare")
for c in 1...max(1, commits) {
    // One resource's line changes in one file a commit.
    let f = c % fileCount
    var changed = text(f)
    if let first = changed.range(of: "MaxSize: 10") { changed.replaceSubrange(first, with: "MaxSize: \(11 + c)") }
    try repo.commit(["desired-state/prod/services-\(f).yaml": changed], message: "change \(c)")
}
let loaded = try DesiredStateLoader(kinds: Kinds.builtIn).load(LoadRequest(repositoryPath: repo.path))
let resources = loaded.state.environments.flatMap(\.resources)
let drifts = resources.enumerated().map { n, resource in
    n % 10 == 0 ? ResourceDrift(resource: resource, physicalId: resource.identity.description, status: .modified,
                                differences: [PropertyDifference(path: "/Drifted", expected: .int(1), actual: .int(2),
                                                                 type: .notEqual)])
        : ResourceDrift(resource: resource, physicalId: resource.identity.description, status: .inSync)
}
let report = DriftReport(revision: loaded.commit?.sha ?? "", generatedAt: Date(),
                         environments: [EnvironmentDrift(name: "prod", region: "us-east-1", resources: drifts)])
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let one = resources[resources.count / 2].key
let (single, oneSeconds) = timed { StatusHistory.entries(loaded, keys: [one]) }
let (all, allSeconds) = timed { StatusHistory.entries(loaded, keys: nil) }
let entries = all.values.reduce(0) { $0 + $1.count }
// The watch keeps every resource's history per commit and journal tip: what a request costs when neither moved.
let (_, revisionSeconds) = timed { StatusHistory.revision(loaded) }
let page = StatusPage(plan: Planner.plan(report), history: all, now: Date(), mode: .served)
let (overview, overviewSeconds) = timed { page.overview() }
let (environment, environmentSeconds) = timed { page.environment("prod") ?? "" }
let (resource, resourceSeconds) = timed { page.resource(one) ?? "" }
let (json, jsonSeconds) = timed { JSON.encode(page.json()) }
let file = StatusPage(plan: Planner.plan(report), history: all, now: Date(), mode: .file)
let (whole, fileSeconds) = timed { file.file() }
print("status page: \(resources.count) resources in \(fileCount) files, \(commits + 1) commits, "
    + "\(drifts.filter { $0.status == .modified }.count) drifted")
print(String(format: "  history, one resource (a resource page):   %.3f s (%d entries)", oneSeconds,
             single.values.reduce(0) { $0 + $1.count }))
print(String(format: "  history, every resource (/api/status.json): %.3f s (%d entries)", allSeconds, entries))
print(String(format: "  the same, kept (commit and journal unmoved): %.4f s", revisionSeconds))
for (name, seconds, bytes) in [("/", overviewSeconds, overview.utf8.count),
                                ("/env/prod", environmentSeconds, environment.utf8.count),
                                ("/resource/...", resourceSeconds, resource.utf8.count),
                                ("/api/status.json", jsonSeconds, json.utf8.count),
                                ("report html (one file)", fileSeconds, whole.utf8.count)] {
    print(String(format: "  render %@ %.3f s, %d KiB", name.padding(toLength: 24, withPad: " ", startingAt: 0),
                 seconds, bytes / 1024))
}
}
}
