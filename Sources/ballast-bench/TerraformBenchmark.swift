import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation

/// `terraform plan -refresh-only` beside `ballast drift` on the same live set in moto:
/// N resources (half log groups, a quarter each alarms and DynamoDB tables) made by
/// `terraform apply`, imported with `ballast import --from-terraform`, every tenth
/// changed out of band. Wall time of each tool (release ballast; terraform with its
/// default parallelism of 10), and the API calls each made, counted by a loopback
/// proxy in front of moto.
enum TerraformBenchmark {
    static func run(_ arguments: [Int]) async throws {
        guard TerraformWorkspace.available else {
            print("terraform or the provider mirror (\(TerraformWorkspace.mirror)) is missing: nothing to compare")
            return
        }
        let sizes = arguments.isEmpty ? [400, 2_000] : arguments
        let (moto, environment, seeder) = try DriftBenchmark.emulator()
        let binary = Run.ballastBinary.replacingOccurrences(of: "/debug/", with: "/release/")
        var rows: [String] = [], quotaRows: [String] = []
        for size in sizes {
            let logs = size / 2, alarms = size / 4, tables = size - logs - alarms
            let prefix = "tfb\(size)"
            let terraform = try TerraformWorkspace(moto: moto,
                                                   resources: hcl(prefix, logs: logs, alarms: alarms, tables: tables))
            say("\(size): terraform apply of \(size) resources ...")
            let applyStart = Date()
            try terraform.run(["init", "-input=false", "-no-color"])
            try terraform.run(["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=32"])
            say(String(format: "  applied in %.1f s", Date().timeIntervalSince(applyStart)))

            let repo = try TempRepository()
            // The state lives outside the repository: imported from the flag (an environment's
            // `terraform.states` names paths inside the repository only).
            try repo.commit(["desired-state/bench/environment.yaml": "region: us-east-1\n"], message: "environment")
            let imported = try Run.process(
                binary,
                [
                    "import", "--env", "bench", "--from-terraform", terraform.stateFile,
                    "--repo", repo.path,
                ], environment: environment)
            guard imported.status == 0 else { throw TestFailure("import failed: \(imported.stderr)") }
            try repo.commit(message: "imported")

            try await driftOutOfBand(seeder.client, prefix: prefix, logs: logs, alarms: alarms)
            let drifted = logs / 10 + alarms / 10

            let start = DispatchTime.now().uptimeNanoseconds
            _ = try terraform.refreshOnlyPlan()
            let terraformSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let ballastStart = DispatchTime.now().uptimeNanoseconds
            let drift = try Run.process(binary, ["drift", "--repo", repo.path, "--output", "json"],
                                        environment: environment)
            let ballastSeconds = Double(DispatchTime.now().uptimeNanoseconds - ballastStart) / 1e9
            try DriftBenchmark.check(drift, expectedDrift: drifted, resources: size)

            let counter = try LoopbackHTTPServer { request in
                LoopbackHTTPServer.forward(request, toPort: moto.port).map { .raw($0) } ?? .drop
            }
            _ = try terraform.refreshOnlyPlan(endpoint: counter.url)
            let terraformCalls = counter.requestCount
            var proxied = environment
            proxied["AWS_ENDPOINT_URL"] = counter.url
            let counted = try Run.process(binary, ["drift", "--repo", repo.path, "--output", "json"],
                                          environment: proxied)
            try DriftBenchmark.check(counted,
                                     expectedDrift: drifted, resources: size)
            let ballastCalls = counter.requestCount - terraformCalls
            rows.append(String(format: "| %5d | %7.1f s | %6d | %6.2f s | %5d | %5.1fx | %5.1fx |",
                               size, terraformSeconds, terraformCalls,
                               ballastSeconds, ballastCalls, terraformSeconds / ballastSeconds,
                               Double(terraformCalls) / Double(max(ballastCalls, 1))))

            // The same, behind AWS's documented quotas and 40 ms a round trip (`AWSQuotas`).
            let terraformDrift = try throughQuotas(moto) { proxy in _ = try terraform.refreshOnlyPlan(endpoint: proxy)
            }
            let ballastDrift = try throughQuotas(moto) { proxy in
                var proxied = environment
                proxied["AWS_ENDPOINT_URL"] = proxy
                try DriftBenchmark.check(
                    try Run.process(
                        binary, ["drift", "--repo", repo.path, "--output", "json"],
                        environment: proxied), expectedDrift: drifted, resources: size)
            }
            let terraformApply = try throughQuotas(moto) { proxy in
                _ = try terraform.run(["apply", "-auto-approve", "-input=false", "-no-color", "-var",
                                       "aws_endpoint=\(proxy)"])
            }
            try await driftOutOfBand(seeder.client, prefix: prefix, logs: logs, alarms: alarms)
            let ballastApply = try throughQuotas(moto) { proxy in
                var proxied = environment
                proxied["AWS_ENDPOINT_URL"] = proxy
                let apply = try Run.process(binary, ["apply", "--repo", repo.path, "--auto-approve"],
                                            environment: proxied)
                guard apply.status == 0, apply.stdout.contains("\(drifted) of \(drifted) changes applied") else {
                    throw TestFailure("ballast apply failed (\(apply.status)): \(apply.stdout.suffix(600))")
                }
            }
            for (step, tool, ballast) in [("drift", terraformDrift, ballastDrift),
                                          ("apply", terraformApply, ballastApply)] {
                quotaRows.append(String(format: "| %5d | %@ | %6.1f s, %d calls, %d throttled | "
                    + "%5.2f s, %d calls, %d throttled | %5.1fx | %5.2f s | %4.2fx |",
                    size, step as NSString, tool.seconds, tool.calls, tool.throttled,
                    ballast.seconds, ballast.calls, ballast.throttled, tool.seconds / ballast.seconds,
                    ballast.floor, ballast.seconds / ballast.floor))
            }
        }
        print(
            "\nSame live set in moto (half log groups, a quarter alarms, a quarter DynamoDB tables; "
                + "every tenth log group "
                + "and alarm drifted):")
        print(
            "| resources | terraform plan -refresh-only | calls | ballast drift | calls | time ratio | calls ratio |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        rows.forEach { print($0) }
        print("\nBehind AWS's documented quotas, 40 ms a round trip (drift: terraform plan -refresh-only and "
            + "ballast drift; apply: terraform apply and ballast apply of the same drift; floor: the least time "
            + "the quotas allow for ballast's calls):")
        print("| resources | step | terraform | ballast | time ratio | floor | ballast / floor |")
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
        quotaRows.forEach { print($0) }
    }

    /// Every tenth log group and alarm changed out of band.
    static func driftOutOfBand(_ client: AWSClient, prefix: String, logs: Int, alarms: Int) async throws {
        for index in stride(from: 9, to: logs, by: 10) {
            _ = try await client.json(.logs, "PutRetentionPolicy",
                                      ["logGroupName": .string("/\(prefix)/\(index)"), "retentionInDays": 7])
        }
        for index in stride(from: 9, to: alarms, by: 10) {
            _ = try await client.query(.cloudWatch, "PutMetricAlarm",
                                       alarmParameters("\(prefix)-\(index)", threshold: "50"))
        }
    }

    struct QuotaRun {
        let seconds: Double
        let calls: Int
        let throttled: Int
        let floor: Double
    }

    /// `body` with the proxy's URL, behind a fresh AWS-quota proxy: its time, calls and throttled answers.
    static func throughQuotas(_ moto: MotoServer, _ body: (String) throws -> Void) throws -> QuotaRun {
        let proxy = try ThrottlingProxy(forwardingTo: moto.port, latency: QuotaBenchmark.latency, awsQuotas: true)
        defer { proxy.stop() }
        let start = DispatchTime.now().uptimeNanoseconds
        try body(proxy.url)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let counts = proxy.counts
        return QuotaRun(seconds: seconds, calls: counts.passed.values.reduce(0, +), throttled: counts.throttled,
                        floor: AWSQuotas.phasedFloorSeconds(proxy.log, roundTrip: QuotaBenchmark.latency))
    }

    static func alarmParameters(_ name: String, threshold: String) -> [String: String] {
        ["AlarmName": name, "Namespace": "Bench", "MetricName": "Errors", "Statistic": "Sum", "Period": "60",
         "EvaluationPeriods": "1", "Threshold": threshold, "ComparisonOperator": "GreaterThanThreshold"]
    }

    static func hcl(_ prefix: String, logs: Int, alarms: Int, tables: Int) -> String {
        """
        resource "aws_cloudwatch_log_group" "logs" {
          count             = \(logs)
          name              = "/\(prefix)/${count.index}"
          retention_in_days = 30
        }
        resource "aws_cloudwatch_metric_alarm" "alarms" {
          count               = \(alarms)
          alarm_name          = "\(prefix)-${count.index}"
          namespace           = "Bench"
          metric_name         = "Errors"
          statistic           = "Sum"
          period              = 60
          evaluation_periods  = 1
          threshold           = 5
          comparison_operator = "GreaterThanThreshold"
        }
        resource "aws_dynamodb_table" "tables" {
          count        = \(tables)
          name         = "\(prefix)-${count.index}"
          billing_mode = "PAY_PER_REQUEST"
          hash_key     = "id"
          attribute {
            name = "id"
            type = "S"
          }
        }
        """
    }
}
