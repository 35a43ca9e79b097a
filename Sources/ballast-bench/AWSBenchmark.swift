import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation

/// The AWS client against moto on loopback: requests per second and client CPU
/// per request for DescribeLogGroups at concurrency 1 and 16, and the AWS CLI
/// in a shell loop (how runbooks do it today) as the anchor. moto is one Python
/// process, so the server side bounds both; API calls are printed beside seconds. A third number is how many
/// calls the keep-alive server is asked (REQUESTS by default): more, for a profile of ballast's own cost
/// (`perf record -g -- .build/release/ballast-bench aws 200 0 100000`).
enum AWSBenchmark {
    static func run(_ arguments: [Int]) async throws {
        let requests = arguments.count > 0 ? arguments[0] : 2_000
        let cliCalls = arguments.count > 1 ? arguments[1] : 40
        let nearRequests = arguments.count > 2 ? arguments[2] : requests
        let moto = try MotoServer(authenticated: false)  // stopped by its watchdog when the benchmark exits
        var environment = ProcessInfo.processInfo.environment.merging([
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_EC2_METADATA_DISABLED": "true",
        ]) { _, new in new }
        environment["AWS_PROFILE"] = nil

        say("moto_server on \(moto.endpoint); DescribeLogGroups over 20 log groups")
        // The client's own cost per request is measured, not ballast's pacing: unpaced.
        let setup = AWSSetup(environment: environment, transport: CurlTransport(maxConcurrent: 16),
                             rates: .unpaced(inFlight: 16))
        let client = setup.client(region: "us-east-1")
        for i in 0..<20 {
            _ = try await client.json(.logs, "CreateLogGroup", .map(["logGroupName": .string("/bench/group-\(i)")]))
        }
        _ = try await client.json(.logs, "DescribeLogGroups")  // warm: credentials, connection

        for concurrency in [1, 16] {
            let before = cpuSplit(RUSAGE_SELF.rawValue)
            defer {
                let after = cpuSplit(RUSAGE_SELF.rawValue)
                say(String(format: "    of which user %.3f ms, system (the kernel: a TCP connect per call, moto "
                    + "closes each) %.3f ms", (after.user - before.user) / Double(requests) * 1000,
                    (after.system - before.system) / Double(requests) * 1000))
            }
            let (seconds, cpu) = try await measure {
                try await describe(client, requests, concurrency)
            }
            report("ballast, concurrency \(concurrency)", calls: requests, seconds: seconds, cpu: cpu)
        }

        // ballast's own cost: a loopback server that keeps connections open and answers at once (moto's
        // answer to the same call, recorded), so no server-side close or Python time is in the figure.
        let answer = try await Self.recordedAnswer(client)
        let server = try LoopbackHTTPServer(keepAlive: true) { _ in
            .response(status: 200, headers: ["Content-Type": "application/x-amz-json-1.1"], body: answer)
        }
        defer { server.stop() }
        var near = environment
        near["AWS_ENDPOINT_URL"] = server.url
        let nearClient = AWSSetup(environment: near, transport: CurlTransport(maxConcurrent: 16),
                                  rates: .unpaced(inFlight: 16)).client(region: "us-east-1")
        _ = try await nearClient.json(.logs, "DescribeLogGroups")
        say("a keep-alive loopback server answering at once with moto's answer (\(answer.count) bytes):")
        for concurrency in [1, 16] {
            let before = cpuSplit(RUSAGE_SELF.rawValue)
            let (seconds, cpu) = try await measure {
                try await describe(nearClient, nearRequests, concurrency)
            }
            let after = cpuSplit(RUSAGE_SELF.rawValue)
            // The server's threads are in this process: their share is in the figure, so it is an upper bound.
            report("ballast, keep-alive, concurrency \(concurrency)", calls: nearRequests, seconds: seconds,
                   cpu: cpu)
            say(String(format: "    of which user %.3f ms, system %.3f ms (the server's threads included)",
                       (after.user - before.user) / Double(nearRequests) * 1000,
                       (after.system - before.system) / Double(nearRequests) * 1000))
        }

        // The anchor: one `aws` process per call, as a runbook loop runs it.
        guard cliCalls > 0 else { return }
        let loop =
            "for i in $(seq \(cliCalls)); do aws logs describe-log-groups --region us-east-1 --endpoint-url "
                + "\(moto.endpoint) --output json >/dev/null || exit 1; done"
        let (seconds, cpu) = try await measure(children: true) {
            let result = try Run.process("/bin/sh", ["-c", loop], environment: environment)
            guard result.status == 0 else { throw TestFailure("the aws CLI loop failed: \(result.stderr)") }
        }
        report("aws CLI loop (one process per call)", calls: cliCalls, seconds: seconds, cpu: cpu)
    }

    /// `requests` DescribeLogGroups calls, `concurrency` at a time.
    static func describe(_ client: any AWSAPI, _ requests: Int, _ concurrency: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: requests, by: concurrency) {
                        _ = try await client.json(.logs, "DescribeLogGroups")
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// moto's answer to DescribeLogGroups over the 20 groups, as a body again.
    static func recordedAnswer(_ client: any AWSAPI) async throws -> [UInt8] {
        Array(JSON.encode(try await client.json(.logs, "DescribeLogGroups")).utf8)
    }

    static func report(_ label: String, calls: Int, seconds: Double, cpu: Double) {
        say("  " + label.padding(toLength: 38, withPad: " ", startingAt: 0)
            + String(format: "%5d API calls  %7.2f s  %8.1f req/s  %8.3f ms CPU/req",
                     calls, seconds, Double(calls) / seconds, cpu / Double(calls) * 1000))
    }

    /// Wall seconds and CPU seconds (this process, or its children) of `body`.
    static func measure(children: Bool = false, _ body: () async throws -> Void) async throws -> (Double, Double) {
        let who = children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue
        let cpuBefore = cpuSeconds(who), start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpuSeconds(who) - cpuBefore)
    }

    static func cpuSeconds(_ who: __rusage_who_t) -> Double {
        let (user, system) = cpuSplit(who)
        return user + system
    }

    /// User and system CPU seconds so far.
    static func cpuSplit(_ who: __rusage_who_t) -> (user: Double, system: Double) {
        var usage = rusage()
        getrusage(who, &usage)
        return (Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }
}

/// Unbuffered, so figures appear as they are measured.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
