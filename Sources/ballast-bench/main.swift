import Foundation

// Benchmarks that print figures (never timed tests). Release build:
//   swift run -c release ballast-bench load [files] [resourcesPerFile] [runs]
//   swift run -c release ballast-bench aws [requests] [cliCalls] [keepAliveRequests]
//   swift build -c release && swift run -c release ballast-bench drift [resources] [runs]
//   swift build -c release && swift run -c release ballast-bench apply [changes] [runs]
//   swift run -c release ballast-bench policy [resources] [runs]
//   swift build -c release && swift run -c release ballast-bench terraform [resources...]   (default 400 2000)
//   swift build -c release && swift run -c release ballast-bench accounts [resources] [accounts]  (10000 10)
//   swift build -c release && swift run -c release ballast-bench latency [resources]   (default 2000)
//   swift build -c release && swift run -c release ballast-bench quotas [resources]   (default 2000)
//   swift run -c release ballast-bench schemas [runs]   (every cfn-lint registry schema, default 3 runs)
//   swift build -c release && swift run -c release ballast-bench events [resources] [events] [seconds]
//     (default 2000 1000 60: watch --events, events through moto's EventBridge)
//   swift run -c release ballast-bench status [resources] [commits]   (default 2000 100: the status page)
//   swift build -c release && swift run -c release ballast-bench startup [runs]   (default 50: --version, validate)
//   swift build -c release && swift run -c release ballast-bench fleet [accounts] [resources] [shards] [latencyMs]
//     (default 100 10000 10 40: shard processes against FleetAWS, AWS's quotas per account)

let arguments = Array(CommandLine.arguments.dropFirst())
let numbers = arguments.dropFirst().compactMap { Int($0) }
switch arguments.first ?? "load" {
case "load": try LoadBenchmark.run(numbers)
case "aws": try await AWSBenchmark.run(numbers)
case "drift": try await DriftBenchmark.run(numbers)
case "apply": try await ApplyBenchmark.run(numbers)
case "policy": try PolicyBenchmark.run(numbers)
case "terraform": try await TerraformBenchmark.run(numbers)
case "accounts": try await ScaleBenchmark.accounts(numbers)
case "latency": try await ScaleBenchmark.latency(numbers)
case "quotas": try await QuotaBenchmark.run(numbers)
case "schemas": try SchemaBenchmark.run(numbers)
case "events": try await EventsBenchmark.run(numbers)
case "status": try StatusBenchmark.run(numbers)
case "startup": try StartupBenchmark.run(numbers)
case "fleet": try await FleetBenchmark.run(numbers)
case "fleet-shard": try await FleetBenchmark.shardProcess(Array(arguments.dropFirst()))
default:
    print("usage: ballast-bench load [files] [resourcesPerFile] [runs] | "
        + "aws [requests] [cliCalls] [keepAliveRequests] | drift [resources] [runs] | apply [changes] [runs] | "
        + "policy [resources] [runs] | terraform [resources...] | "
        + "accounts [resources] [accounts] | latency [resources] | quotas [resources] | schemas [runs] | "
        + "events [resources] [events] [seconds] | fleet [accounts] [resources] [shards] [latencyMs]")
    exit(64)
}
