import BallastAWS
import BallastCore
import Foundation

/// `AWS::Lambda::Alias` in the tests: how the seeder makes one live, its apply case (seeded
/// drifted, then planned, applied and read back against moto, and recorded as `fixture.json` beside
/// this file for the in-memory AWS), and its resources in the scale fixture.
extension KindMaterial {
    static let lambdaAlias = KindMaterial(
        type: "AWS::Lambda::Alias",
        seed: {
            try await $0.lambdaAlias($1, $2)
            return $1
        },
        apply: ApplyCase(
            id: { uniqueName("fn") + ":live" },
            live: ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 2]],
            desired: "{ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: {atLeast: 5}}}"),
        scale: { i, d in
            ScaleFixture.item(
                "AWS::Lambda::Alias", "bench-fn-\(i):live",
                ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 2]],
                "{ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: \(d ? 4 : 2)}}", drifted: d)
        })
}

extension LiveSeeder {
    /// `FUNCTION:ALIAS`: the function, a published version and the alias on it, then its provisioned
    /// concurrency (the Lambda stand-in's), waited for until READY as a deployment would.
    func lambdaAlias(_ id: String, _ p: [String: Value]) async throws {
        let parts = id.split(separator: ":").map(String.init)
        let (function, alias) = (parts[0], parts.count > 1 ? parts[1] : "live")
        try await ensureFunction(function)
        let aliases = ["2015-03-31", "functions", function, "aliases"]
        if (try? await client.restJSON(.lambda, "GetAlias", method: "GET", segments: aliases + [alias])) == nil {
            let version = try await client.restJSON(
                .lambda, "PublishVersion", method: "POST",
                segments: ["2015-03-31", "functions", function, "versions"],
                body: .map([:]))
            _ = try await client.restJSON(
                .lambda, "CreateAlias", method: "POST", segments: aliases,
                body: ["Name": .string(alias), "FunctionVersion": version["Version"] ?? "1"])
        }
        guard let executions = p["ProvisionedConcurrencyConfig"]?["ProvisionedConcurrentExecutions"] else { return }
        let path = ["2019-09-30", "functions", function, "provisioned-concurrency"]
        _ = try await client.restJSON(
            .lambda, "PutProvisionedConcurrencyConfig", method: "PUT", segments: path,
            query: [("Qualifier", alias)],
            body: ["ProvisionedConcurrentExecutions": executions])
        for _ in 0..<50 {
            let config = try await client.restJSON(
                .lambda, "GetProvisionedConcurrencyConfig", method: "GET",
                segments: path, query: [("Qualifier", alias)])
            if config["Status"]?.string != "IN_PROGRESS" { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
