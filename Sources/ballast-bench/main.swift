import Foundation

// Benchmarks that print figures (never timed tests). Release build:
//   swift run -c release ballast-bench load [files] [resourcesPerFile] [runs]
//   swift run -c release ballast-bench aws [requests] [cliCalls]

let arguments = Array(CommandLine.arguments.dropFirst())
let numbers = arguments.dropFirst().compactMap { Int($0) }
switch arguments.first ?? "load" {
case "load": try LoadBenchmark.run(numbers)
case "aws": try await AWSBenchmark.run(numbers)
default:
    print("usage: ballast-bench load [files] [resourcesPerFile] [runs] | aws [requests] [cliCalls]")
    exit(64)
}
