import BallastAWS
import BallastCore
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// Every kind in the registry is covered where a kind must be: its material in its folder of the test
/// support (the seeder, the scale fixture and so the scale tests and the benchmarks, the apply case
/// checked against botocore's model: the contract case, the in-memory fixture), and the rate table
/// names every service it calls (a documented quota or, deliberately, the adaptive start). A Terraform
/// mapping is a field of the kind's schema, so a kind cannot be built without one. A kind added without
/// them fails here, not silently.
@Suite struct KindCoverageTests {
    static let types = Set(Kinds.builtIn.schemas.types)

    /// Each kind's material (seeder, apply case, scale resources, fixture, stand-in) is in one folder:
    /// one per kind, none for a type the registry lacks.
    @Test func everyKindHasItsMaterial() {
        let material = Set(KindMaterial.all.map(\.type))
        let missing = Self.types.subtracting(material).sorted(), extra = material.subtracting(Self.types).sorted()
        #expect(material == Self.types, "missing: \(missing); not a kind: \(extra)")
        #expect(KindMaterial.all.count == material.count, "a kind's material is declared twice")
        #expect(Self.types.isSubset(of: LiveSeeder.seededTypes))
    }

    /// A kind's scale resources are of its own type, so the scale tests and benchmarks have every kind.
    @Test func theScaleFixtureHasEveryKind() {
        for kind in KindMaterial.all {
            #expect(kind.scale(0, false).type == kind.type, "\(kind.type)'s scale resource is another type's")
        }
        let fixture = Set(ScaleFixture.kinds.map { $0(0, false).type })
        #expect(fixture == Self.types, "missing: \(Self.types.subtracting(fixture).sorted())")
    }

    /// Each kind runs without an emulator too (KindFixtureTests): its fixture is in its folder, of its type.
    @Test func everyKindHasAFixture() throws {
        for kind in KindMaterial.all {
            guard FileManager.default.fileExists(atPath: kind.fixture) else {
                Issue.record("no \(kind.fixture) (BALLAST_UPDATE_FIXTURES=1 swift test --filter KindFixtureRecording)")
                continue
            }
            #expect(try KindFixture.read(kind.type).type == kind.type)
        }
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
