import BallastCore
import BallastKinds
import Foundation
import Testing

/// How each kind judges whether its rotation happened, from what its read gave: the cases an emulator
/// cannot make (a secret never rotated, a schedule expression, AWS's own next date).
@Suite struct RotationJudgementTests {
    static let now = Date(timeIntervalSince1970: 1_796_558_400)
    static let day: TimeInterval = 86_400

    func secret(_ live: [String: Value], grace: TimeInterval = day) -> Rotation? {
        RotationScheduleKind.schema.rotation?(live, grace, Self.now)
    }

    func key(_ live: [String: Value], grace: TimeInterval = day) -> Rotation? {
        KMSKeyKind.schema.rotation?(live, grace, Self.now)
    }

    @Test func aSecretThatNeverRotatedIsOverdueAndOneWithoutRotationIsNotJudged() {
        let never = secret(["RotationRules": ["AutomaticallyAfterDays": 30]])
        #expect(never == Rotation(last: nil, due: nil, overdue: true), "\(String(describing: never))")
        #expect(never?.said == "rotation overdue: never rotated")
        #expect(secret(["RotationLambdaARN": "arn:aws:lambda:us-east-1:1:function:f"]) == nil, "rotation off")
    }

    @Test func aScheduleExpressionIsJudgedByAWSsNextDate() {
        let last = Self.now.addingTimeInterval(-10 * Self.day), next = Self.now.addingTimeInterval(-2 * Self.day)
        let live: [String: Value] = [
            "RotationRules": ["ScheduleExpression": "cron(0 4 ? * SUN *)"],
            "LastRotatedDate": .double(last.timeIntervalSince1970),
            "NextRotationDate": .double(next.timeIntervalSince1970),
        ]
        #expect(secret(live) == Rotation(last: last, due: next, overdue: true), "two days late, a day's grace")
        #expect(secret(live, grace: 3 * Self.day)?.overdue == false, "within three days' grace")
    }

    @Test func aKeyIsDueItsPeriodAfterItsNewestRotationUnlessAWSSaysWhen() {
        let last = Self.now.addingTimeInterval(-100 * Self.day)
        let rotated: [String: Value] = ["EnableKeyRotation": true, "RotationPeriodInDays": 90,
                                        "RotationsRead": true, "LastRotatedDate": .double(last.timeIntervalSince1970)]
        #expect(key(rotated) == Rotation(last: last, due: last.addingTimeInterval(90 * Self.day), overdue: true))
        #expect(key(rotated.merging(["RotationPeriodInDays": 365]) { $1 })?.overdue == false)
        let told = rotated.merging(["NextRotationDate": .double(Self.now.timeIntervalSince1970 + Self.day)]) { $1 }
        #expect(key(told)?.overdue == false, "AWS's next date is the due date")
        let fresh = key(["EnableKeyRotation": true, "RotationPeriodInDays": 365, "RotationsRead": true])
        #expect(fresh == Rotation(last: nil, due: nil, overdue: false), "never rotated: its first is a period away")
        #expect(key(["EnableKeyRotation": false, "RotationsRead": true]) == nil, "rotation off")
    }
}
