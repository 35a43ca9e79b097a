import BallastAWS
import BallastCore
import BallastKinds
import BallastTestSupport
import Testing

/// Every kind in the registry is covered where a kind must be: the scale fixture (and so the
/// seeder, the scale tests and the benchmarks), the apply cases, and the rate table names every
/// service it calls (a documented quota or, deliberately, the adaptive start). A kind added
/// without them fails here, not silently.
@Suite struct KindCoverageTests {
    static let types = Set(KindRegistry.kinds.map { $0.schema.type })

    @Test func theScaleFixtureHasEveryKind() {
        let fixture = Set(ScaleFixture.kinds.map { $0(0, false).type })
        #expect(fixture == Self.types, "missing: \(Self.types.subtracting(fixture).sorted())")
    }

    @Test func theApplyCasesHaveEveryKind() {
        let cases = Set(ApplyKindTests.cases.map(\.type))
        #expect(Self.types.isSubset(of: cases), "missing: \(Self.types.subtracting(cases).sorted())")
    }

    @Test func theRateTableNamesEveryServiceAKindCalls() {
        for kind in KindRegistry.kinds {
            for action in kind.permissions.read + kind.permissions.write {
                let service = String(action.split(separator: ":")[0])
                #expect(RequestRates.knownServices.contains(service), "\(kind.schema.type) calls \(action)")
            }
        }
    }
}
