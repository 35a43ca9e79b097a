import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import BallastTestSupport
import Foundation

/// State policies over a large desired state, in process: 20 policies (the
/// defaults in policies/operations.yaml and ten more of the same shapes, all
/// matching prod) over the load benchmark's 10,000 resources.
enum PolicyBenchmark {
    static func run(_ arguments: [Int]) throws {
        let total = arguments.count > 0 ? arguments[0] : 10_000
        let runs = arguments.count > 1 ? arguments[1] : 7
        let defaults = try String(contentsOfFile: "policies/operations.yaml", encoding: .utf8)
        let extra = (0..<10).map { i in """
              - id: extra-\(i)
                severity: \(i % 2 == 0 ? "deny" : "warn")
                match: {type: "AWS::*", environments: [prod]}
                assert: >-
                  resource.id.startsWith('service-') || resource.id.matches('^[a-z/-]+[0-9]+')
                  || size(properties) >= \(i)
                  || resource.region in ['us-east-1', 'eu-west-1']

            """ }.joined()
        var files = ["desired-state/prod/environment.yaml": "region: us-east-1\n",
                     "policies/operations.yaml": defaults, "policies/extra.yaml": "policies:\n" + extra]
        for f in 0..<(total / 50) {
            files["desired-state/prod/services-\(f).yaml"] =
                "resources:\n" + (0..<50).map { LoadBenchmark.resource(f * 50 + $0) }.joined()
        }
        let repo = try TempRepository()
        try repo.commit(files, message: "bench")
        let loaded = try DesiredStateLoader(kinds: Kinds.builtIn).load(LoadRequest(repositoryPath: repo.path))
        precondition(loaded.diagnostics.isEmpty, "benchmark input must be valid: \(loaded.diagnostics.prefix(3))")
        let engine = PolicyEngine(loaded.policies)

        var seconds: [Double] = []
        var results: [PolicyResult] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            results = engine.check(loaded.state)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        seconds.sort()
        say(
            "\(loaded.policies.policies.count) policies over \(loaded.state.resourceCount) resources: "
                + "\(results.count) results "
                + "(\(results.filter { $0.result == .pass }.count) pass, "
                + "\(results.filter { $0.result == .fail }.count) fail)"
        )
        say(
            String(
                format: "  runs %d   min %.1f ms   median %.1f ms   max %.1f ms   (target: under 200 ms)",
                runs, seconds.first! * 1000, seconds[seconds.count / 2] * 1000, seconds.last! * 1000))
    }
}
