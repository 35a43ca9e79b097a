import BallastAWS
import BallastCore
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// Every kind in the registry is covered where a kind must be: the seeder, the scale fixture (and
/// so the scale tests and the benchmarks), the apply cases (each checked against botocore's model:
/// the contract cases), the in-memory fixtures, and the rate table names every service it calls (a documented quota or,
/// deliberately, the adaptive start). A Terraform mapping is a field of the kind's schema, so a
/// kind cannot be built without one. A kind added without them fails here, not silently.
@Suite struct KindCoverageTests {
    static let types = Set(Kinds.builtIn.schemas.types)

    @Test func theScaleFixtureHasEveryKind() {
        let fixture = Set(ScaleFixture.kinds.map { $0(0, false).type })
        #expect(fixture == Self.types, "missing: \(Self.types.subtracting(fixture).sorted())")
    }

    @Test func theSeederCreatesEveryKind() {
        #expect(Self.types.isSubset(of: LiveSeeder.seededTypes),
                "missing: \(Self.types.subtracting(LiveSeeder.seededTypes).sorted())")
    }

    @Test func theApplyCasesHaveEveryKind() {
        let cases = Set(ApplyKindTests.cases.map(\.type))
        #expect(Self.types.isSubset(of: cases), "missing: \(Self.types.subtracting(cases).sorted())")
    }

    /// Each kind runs without an emulator too (KindFixtureTests): its fixture is there.
    @Test func everyKindHasAFixture() {
        let missing = Self.types.filter { !FileManager.default.fileExists(atPath: KindFixture.path(of: $0)) }
        #expect(missing.isEmpty,
                "no fixture (BALLAST_UPDATE_FIXTURES=1 swift test --filter KindFixtureRecording): \(missing.sorted())")
    }

    @Test func theRateTableNamesEveryServiceAKindCalls() {
        for kind in Kinds.builtIn.schemas.all {
            for operation in kind.permissions.read + kind.permissions.write {
                #expect(RequestRates.knownServices.contains(operation.service.iamPrefix),
                        "\(kind.type) calls \(operation)")
            }
        }
    }

    /// Cloud Control's operations, which any type without a native kind uses, are in the rate table too.
    @Test func theRateTableNamesCloudControl() throws {
        let kind = CloudControlKind.schema(for: try CfnLintSchemas.registry(for: "AWS::Kinesis::Stream"))
        for operation in kind.permissions.read + kind.permissions.write {
            #expect(RequestRates.knownServices.contains(operation.service.iamPrefix), "\(operation)")
        }
    }

    /// The desired-state page's table of kinds (what each reads and writes) has a row for each.
    @Test func theDocsHaveARowForEveryKind() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("docs/desired-state.md"), encoding: .utf8)
        let rows = Set(Self.types.filter { readme.contains("\n| `\($0)` |") })
        #expect(rows == Self.types, "missing: \(Self.types.subtracting(rows).sorted())")
    }
}
