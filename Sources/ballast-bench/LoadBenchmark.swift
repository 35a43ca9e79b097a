import BallastDesiredState
import BallastEngine
import BallastKinds
import BallastTestSupport
import Foundation

/// Load + validate: 10,000 resources in 200 files, read through libgit2 at a
/// revision (not the working tree).
enum LoadBenchmark {
static func run(_ arguments: [Int]) throws {
let fileCount = arguments.count > 0 ? arguments[0] : 200
let perFile = arguments.count > 1 ? arguments[1] : 50
let runs = arguments.count > 2 ? arguments[2] : 7

let repo = try TempRepository()
var files = ["desired-state/prod/environment.yaml": "region: us-east-1\n"]
var bytes = 0
for f in 0..<fileCount {
    let text = "resources:\n" + (0..<perFile).map { resource(f * perFile + $0) }.joined()
    bytes += text.utf8.count
    files["desired-state/prod/services-\(f).yaml"] = text
}
try repo.commit(files, message: "bench")
// Move HEAD on, so the benchmark reads a commit, not the files on disk.
try repo.commit(message: "next")

let loader = DesiredStateLoader(kinds: Kinds.builtIn)
let request = LoadRequest(repositoryPath: repo.path, revision: "HEAD~1")
var seconds: [Double] = []
var resources = 0
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    let loaded = try loader.load(request)
    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    precondition(loaded.diagnostics.isEmpty, "benchmark input must be valid: \(loaded.diagnostics.prefix(3))")
    resources = loaded.state.resourceCount
}
seconds.sort()
let median = seconds[seconds.count / 2]
print("load + validate at a revision: \(resources) resources in \(fileCount) files (\(bytes / 1024) KiB of YAML)")
print(String(format: "  runs %d   min %.3f s   median %.3f s   max %.3f s   %.0f resources/s (median)",
             runs, seconds.first!, median, seconds.last!, Double(resources) / median))
}

/// Five realistic resource shapes, rotated so every file mixes kinds.
static func resource(_ n: Int) -> String {
    switch n % 5 {
    case 0:
        return """
          - type: AWS::AutoScaling::AutoScalingGroup
            id: service-\(n)-asg
            properties:
              MinSize: 2
              MaxSize: 10
              DesiredCapacity: {within: [2, 10]}

        """
    case 1:
        return """
          - type: AWS::Logs::LogGroup
            id: /aws/lambda/service-\(n)
            properties:
              RetentionInDays: 30

        """
    case 2:
        return """
          - type: AWS::DynamoDB::Table
            id: table-\(n)
            properties:
              BillingMode: PROVISIONED
              ProvisionedThroughput: {ReadCapacityUnits: 50, WriteCapacityUnits: 20}
              PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}

        """
    case 3:
        return """
          - type: AWS::CloudWatch::Alarm
            id: service-\(n)-errors
            properties:
              Namespace: AWS/Lambda
              MetricName: Errors
              Dimensions: {FunctionName: service-\(n)}
              Statistic: Sum
              Period: 300
              EvaluationPeriods: 3
              DatapointsToAlarm: 2
              Threshold: 5
              ComparisonOperator: GreaterThanOrEqualToThreshold
              AlarmActions: [arn:aws:sns:us-east-1:123456789012:ops-pager]

        """
    default:
        return """
          - type: AWS::Lambda::Function
            id: service-\(n)-fn
            properties:
              MemorySize: 512
              Timeout: 30
              ReservedConcurrentExecutions: 10

        """
    }
}
}
