import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `AWS::Lambda::Alias` against the Lambda stand-in: provisioned concurrency allocated over time.
@Suite struct LambdaAliasTests {
    static let three = "{ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 3}}"

    /// An alias without a configuration has no value (REMOVE), one that is not there is DELETED,
    /// and a FAILED allocation is NOT_CHECKED with AWS's reason, never read as a value.
    @Test func driftReadsTheAllocationAndItsFailure() async throws {
        let (ready, bare, failed) = (
            uniqueName("fn") + ":live", uniqueName("fn") + ":live", uniqueName("fn") + ":live"
        )
        let config: [String: Value] = ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 3]]
        try await seeder().create("AWS::Lambda::Alias", id: ready, config)
        try await seeder().create("AWS::Lambda::Alias", id: bare, [:])
        MotoServer.unauthenticated.standIns.lambda.failNext(String(failed.split(separator: ":")[0]), alias: "live",
                                      reason: "FUNCTION_ERROR_INIT_FAILURE")
        try await seeder().create("AWS::Lambda::Alias", id: failed, config)
        let gone = String(ready.split(separator: ":")[0]) + ":nosuchalias"
        let run = try DriftRun.run("""
              - {type: AWS::Lambda::Alias, id: "\(ready)", properties: \(Self.three)}
              - {type: AWS::Lambda::Alias, id: "\(bare)", properties: \(Self.three)}
              - {type: AWS::Lambda::Alias, id: "\(failed)", properties: \(Self.three)}
              - {type: AWS::Lambda::Alias, id: "\(gone)", properties: \(Self.three)}
            """)
        #expect(run.status(of: ready) == "IN_SYNC")
        #expect(run.differences(of: bare) == [
            difference("/ProvisionedConcurrencyConfig/ProvisionedConcurrentExecutions", 3, nil, "REMOVE")])
        #expect(run.status(of: failed) == "NOT_CHECKED")
        #expect(run.resources[failed]?["reason"]?.string?.contains("FUNCTION_ERROR_INIT_FAILURE") == true,
                "\(run.resources[failed] ?? .null)")
        #expect(run.status(of: gone) == "DELETED")
    }

    /// An apply whose allocation fails is not verified: the read-back says why.
    @Test func aFailedAllocationIsNotVerified() async throws {
        let id = uniqueName("fn") + ":live"
        try await seeder().create("AWS::Lambda::Alias", id: id,
                                  ["ProvisionedConcurrencyConfig": ["ProvisionedConcurrentExecutions": 1]])
        MotoServer.unauthenticated.standIns.lambda.failNext(String(id.split(separator: ":")[0]), alias: "live",
                                                            reason: "FUNCTION_ERROR_INIT_FAILURE")
        let repo = try TempRepository.desiredState("  - {type: AWS::Lambda::Alias, id: \"\(id)\", "
            + "properties: {ProvisionedConcurrencyConfig: {ProvisionedConcurrentExecutions: 4}}}\n")
        let apply = try repo.ballast(["apply", "--auto-approve", "--wait-timeout", "3"])
        #expect(apply.status != 0, "\(apply.stdout)\(apply.stderr)")
        #expect(
            (apply.stdout + apply.stderr).contains("FUNCTION_ERROR_INIT_FAILURE"), "\(apply.stdout)\(apply.stderr)")
    }
}
