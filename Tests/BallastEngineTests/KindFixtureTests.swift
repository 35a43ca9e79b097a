import BallastCore
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// Every kind without an emulator: its fixture's desired YAML against an in-memory AWS that
/// answers as moto did. The engine must report the same drift, write the same changes, read
/// in sync afterwards and make the same calls; and every call it made, in its wire form, is
/// checked against botocore's models. `KindFixtureRecording` makes the fixtures.
@Suite struct KindFixtureTests {
    static let types = Kinds.builtIn.schemas.types.sorted()

    @Test(arguments: types)
    func theEngineDoesWithTheAnswersWhatItDidWithTheEmulator(_ type: String) async throws {
        try await replay(try KindFixture.read(type))
    }

    /// Ballast's own calls, replayed and checked the same way: the lock, the journal's items and the
    /// holds of an environment with a lock table.
    @Test func theLockTablesCallsToo() async throws {
        let fixture = try KindFixture.read(named: "lock-table")
        let made = try await replay(fixture)
        let own = Set(made.filter { $0.operation.service == .dynamodb }.map(\.operation.name))
        #expect(own.isSuperset(of: ["PutItem", "GetItem", "DeleteItem", "Scan"]), "\(own.sorted())")
    }

    @discardableResult
    func replay(_ fixture: KindFixture) async throws -> [InMemoryAWS.Call] {
        let type = fixture.name
        let aws = fixture.aws()
        let outcome = try await KindFixture.exercise(try fixture.repository()) { region, _ in aws.inRegion(region) }
        #expect(outcome == fixture.outcome, "\(type): \(JSON.encode(outcome, pretty: true))")
        let made = aws.calls.map { KindFixture.comparable($0.json) }.sorted()
        let recorded = fixture.calls.map(KindFixture.comparable).sorted()
        #expect(made == recorded, "\(type): calls differ")
        let checked = try Contract.check(aws.wireLines)
        #expect(checked.problems == [], "\(type): \(checked.problems)")
        #expect(checked.summary.contains("checked \(aws.calls.count) requests"), "\(type): \(checked.summary)")
        print("\(type): \(aws.calls.count) calls, \(checked.summary.trimmingCharacters(in: .whitespacesAndNewlines)) "
            + "against botocore's models, 0 violations")
        return aws.calls
    }

    /// The port can fail a call as AWS does: a throttled read leaves the resource not checked,
    /// with the reason, and nothing is written.
    @Test func aThrottledReadIsNotCheckedAndNothingIsWritten() async throws {
        let fixture = try KindFixture.read("AWS::Logs::LogGroup")
        let aws = fixture.aws()
        aws.fail(APIOperation(.logs, "DescribeLogGroups"), times: 1,
                 with: .error(code: "ThrottlingException", message: "Rate exceeded", status: 400))
        let outcome = try await KindFixture.exercise(try fixture.repository()) { region, _ in aws.inRegion(region) }
        #expect(outcome["changes"] == nil)
        #expect(outcome["drift"]?.list?.first?["status"] == "NOT_CHECKED")
        #expect(outcome["drift"]?.list?.first?["reason"]?.string?.contains("ThrottlingException") == true,
                "\(JSON.encode(outcome))")
        #expect(!aws.calls.contains { $0.operation.name == "PutRetentionPolicy" })
    }
}

/// The contract checker (Tests/BallastCLITests/Contracts/check_requests.py) over wire lines.
enum Contract {
    static let checker = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BallastCLITests/Contracts/check_requests.py").path

    static func check(_ lines: String) throws -> (problems: [String], summary: String) {
        try RequestRecorder.violations(checker: checker, lines: lines)
    }
}
