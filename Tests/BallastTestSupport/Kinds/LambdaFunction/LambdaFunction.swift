import BallastAWS
import BallastCore
import Foundation

/// `AWS::Lambda::Function` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let lambdaFunction = KindMaterial(
        type: "AWS::Lambda::Function",
        seed: {
            try await $0.lambdaFunction($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("fn") },
            live: ["MemorySize": 128, "Timeout": 3],
            desired: "{MemorySize: 512, Timeout: 30, ReservedConcurrentExecutions: 5}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::Lambda::Function", "bench-fn-\(i)",
                ["MemorySize": 256, "Timeout": 30, "ReservedConcurrentExecutions": 2],
                "{MemorySize: \(d ? 512 : 256), Timeout: 30, ReservedConcurrentExecutions: 2}", drifted: d)
        })
}

extension LiveSeeder {
    func lambdaFunction(_ name: String, _ p: [String: Value]) async throws {
        try await ensureFunction(name, memory: p["MemorySize"], timeout: p["Timeout"])
        if let reserved = p["ReservedConcurrentExecutions"] {
            _ = try await client.restJSON(
                .lambda, "PutFunctionConcurrency", method: "PUT",
                segments: ["2017-10-31", "functions", name, "concurrency"],
                body: .map(["ReservedConcurrentExecutions": reserved]))
        }
    }

    /// A function with an empty zip, its role created on first use.
    func ensureFunction(_ name: String, memory: Value? = nil, timeout: Value? = nil) async throws {
        let roleArn = "arn:aws:iam::\(account):role/ballast-seed"
        try await tolerant {
            _ = try await client.query(
                Self.iam, "CreateRole",
                [
                    "RoleName": "ballast-seed",
                    "AssumeRolePolicyDocument": #"{"Version":"2012-10-17","Statement":[]}"#,
                ])
        }
        // The smallest valid zip: an end-of-central-directory record.
        let zip = Data([0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18)).base64EncodedString()
        var function: [String: Value] = [
            "FunctionName": .string(name), "Runtime": "python3.12", "Handler": "index.handler",
            "Role": .string(roleArn), "Code": .map(["ZipFile": .string(zip)]),
        ]
        function["MemorySize"] = memory
        function["Timeout"] = timeout
        try await tolerant {
            _ = try await client.restJSON(
                .lambda, "CreateFunction", method: "POST", segments: ["2015-03-31", "functions"],
                body: .map(function))
        }
    }
}
