import BallastAWS
import BallastCore
import Foundation

/// A drift test's two sides: live resources seeded in moto, desired state in a
/// temporary git repository, then the real binary with `--output json`.
public struct DriftRun {
    public let status: Int32
    public let report: Value
    public let stderr: String

    public init(status: Int32, report: Value, stderr: String) {
        self.status = status
        self.report = report
        self.stderr = stderr
    }

    /// Runs `ballast drift` on `resources` (a YAML list, indented as under `resources:`).
    public static func run(_ resources: String, environment: String = Fixture.environment, arguments: [String] = [],
                           variables: [String: String] = [:]) throws -> DriftRun {
        let repo = try TempRepository.desiredState(resources, environment: environment)
        let result = try Run.ballast(["drift", "--repo", repo.path, "--output", "json"] + arguments,
                                     environment: MotoServer.shared.environment.merging(variables) { _, new in new })
        do {
            return DriftRun(status: result.status, report: try JSON.parse(result.stdout), stderr: result.stderr)
        } catch {
            throw TestFailure("drift printed no JSON report (exit \(result.status)): \(result.stdout)\(result.stderr)")
        }
    }

    /// The report's resources by id.
    public var resources: [String: Value] {
        var byId: [String: Value] = [:]
        for environment in report["environments"]?.list ?? [] {
            for resource in environment["resources"]?.list ?? [] { byId[resource["id"]?.string ?? ""] = resource }
        }
        return byId
    }

    public func status(of id: String) -> String? { resources[id]?["status"]?.string }

    /// Differences of one resource, as `[path: difference]` for exact comparison.
    public func differences(of id: String) -> [Value] { resources[id]?["differences"]?.list ?? [] }
}

extension TempRepository {
    /// A repository with one committed environment, `test`, holding `resources`
    /// (a YAML list, indented as under `resources:`).
    public static func desiredState(_ resources: String,
        environment: String = Fixture.environment) throws -> TempRepository {
        let repo = try TempRepository()
        _ = try repo.commit(["desired-state/test/environment.yaml": environment,
                             "desired-state/test/resources.yaml": "resources:\n" + resources], message: "desired")
        return repo
    }
}

/// One expected difference in the report's JSON form.
public func difference(_ path: String, _ expected: Value?, _ actual: Value?, _ type: String = "NOT_EQUAL") -> Value {
    ["path": .string(path), "expected": expected ?? .null, "actual": actual ?? .null, "type": .string(type)]
}

/// Seeding through the project's client, against the shared moto server.
public func seeder(region: String = "us-east-1") -> LiveSeeder {
    LiveSeeder(client: AWSSetup(environment: MotoServer.shared.environment).client(region: region))
}

/// A name no other test run uses, for a resource a test makes.
///
/// The suffix is eight consonants, never digits or a word: a test that looks for a number or a
/// word in an output cannot find it in a resource's random name (a suffix `e3062927` once held the
/// "30" a test said must not be there).
public func uniqueName(_ prefix: String) -> String {
    let letters = Array("bcdfghjklmnpqrstvwxz")
    return prefix + "-" + String((0..<8).map { _ in letters.randomElement()! })
}

extension TempRepository {
    /// The ballast binary on this repository, pointed at the shared moto server.
    public func ballast(_ arguments: [String], _ variables: [String: String] = [:]) throws -> Run.Result {
        try Run.ballast(arguments + ["--repo", path],
            environment: MotoServer.shared.environment.merging(variables) { _, new in new })
    }
}

/// A log group's live retention in moto (nil: never expires, or no such group).
public func liveRetention(_ group: String) async throws -> Value? {
    let groups = try await seeder().client.json(.logs, "DescribeLogGroups", ["logGroupNamePrefix": .string(group)])
    return groups["logGroups"]?.list?.first { $0["logGroupName"]?.string == group }?["retentionInDays"]
}

/// A new lock table in moto, keyed as ballast (and Terraform) expect: `LockID`, a string.
public func createLockTable() async throws -> String {
    let table = uniqueName("locks")
    _ = try await seeder().client.json(.dynamodb, "CreateTable", [
        "TableName": .string(table), "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [["AttributeName": "LockID", "AttributeType": "S"]],
        "KeySchema": [["AttributeName": "LockID", "KeyType": "HASH"]],
    ])
    return table
}

/// Changes out of band, as a hand would: a log group's retention.
public func setRetention(_ group: String, _ days: Int) async throws {
    _ = try await seeder().client.json(.logs, "PutRetentionPolicy",
                                       ["logGroupName": .string(group), "retentionInDays": .int(days)])
}

/// Changes out of band: a seeded alarm (metric `Ballast/Seed` `Seed`) put again with this description.
public func putSeedAlarm(_ name: String, description: String) async throws {
    _ = try await seeder().client.query(.cloudWatch, "PutMetricAlarm", [
        "AlarmName": name, "AlarmDescription": description, "Namespace": "Ballast/Seed", "MetricName": "Seed",
        "Statistic": "Average", "Period": "60", "EvaluationPeriods": "1", "Threshold": "1",
        "ComparisonOperator": "GreaterThanThreshold",
    ])
}
