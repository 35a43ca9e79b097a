import BallastCore
@testable import BallastEngine
import Foundation
import Testing

/// The drift-notify state keeps when each drift was first seen, per resource: one name declared in two
/// regions is two resources there too, and what earlier runs kept for the home region still counts.
@Suite struct DriftStateTests {
    func drift(_ region: String, _ live: Int) -> ResourceDrift {
        let resource = DesiredResource(
            type: "AWS::Logs::LogGroup", identity: .id("/ballast/twin"), region: region,
            environment: "prod", properties: ["RetentionInDays": .exact(30)],
            source: SourceLocation(file: "desired-state/prod/logs.yaml", line: 2, column: 5))
        return ResourceDrift(
            resource: resource, physicalId: "/ballast/twin", status: .modified,
            differences: [
                PropertyDifference(
                    path: "/RetentionInDays", expected: 30,
                    actual: .int(live), type: .notEqual)
            ],
            live: ["RetentionInDays": .int(live)])
    }

    @Test func oneNameInTwoRegionsIsSeenSinceItsOwnTime() {
        let monday = Date(timeIntervalSince1970: 1_796_000_000), tuesday = monday.addingTimeInterval(86_400)
        let home = drift("us-east-1", 7)
        func report(_ drifts: [ResourceDrift]) -> DriftReport {
            DriftReport(revision: "r", generatedAt: monday,
                        environments: [EnvironmentDrift(name: "prod", region: "us-east-1", resources: drifts)])
        }
        // Monday: only the home region's group has drifted.
        let first = DriftNotifier.keepingFirstSeen(report([home]), in: [:], now: monday)
        // Tuesday the eu-west-1 group drifts too, and the home one is unchanged.
        let away = drift("eu-west-1", 14)
        let second = DriftNotifier.keepingFirstSeen(report([home, away]), in: first, now: tuesday)
        #expect(DriftNotifier.driftSince(home, home: "us-east-1", in: second) == monday)
        #expect(DriftNotifier.driftSince(away, home: "us-east-1", in: second) == tuesday)
        #expect(second.count == 2, "\(second)")
        // A key kept by an earlier run (no region) is the home region's.
        #expect(first.keys.first == "since\u{1F}prod\u{1F}AWS::Logs::LogGroup\u{1F}/ballast/twin")
    }
}
