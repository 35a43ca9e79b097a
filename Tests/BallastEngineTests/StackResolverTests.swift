@testable import BallastEngine
import BallastKinds
import BallastCore
import Foundation
import Testing

/// The resolver's rules on a listing given to it: moto cannot complete a custom
/// resource without running its Lambda, so this is where the custom-resource rule is tested.
@Suite struct StackResolverTests {
    func resource(_ type: String, _ identity: ResourceIdentity) -> DesiredResource {
        DesiredResource(type: type, identity: identity, region: "eu-west-1", environment: "prod", properties: [:],
                        source: SourceLocation(file: "desired-state/prod/tv.yaml", line: 3, column: 5),
                        kind: Kinds.builtIn.kind(for: type))
    }

    let stacks = StackResolver.Stacks(stacks: [
        StackResolver.StackKey(region: "eu-west-1", stack: "tolling-vision-prod"): .success([
            "AutoScalingCustomResource": .init(physicalId: "tolling-vision-prod-asg", type: "Custom::AutoScaling"),
            "LegacyResource": .init(physicalId: "tv-legacy-asg", type: "AWS::CloudFormation::CustomResource"),
            "AppLogs": .init(physicalId: "/aws/ec2/tolling-vision", type: "AWS::Logs::LogGroup"),
            "Pending": .init(physicalId: "", type: "Custom::AutoScaling"),
        ]),
    ], outputs: [
        StackResolver.StackKey(region: "eu-west-1", stack: "tolling-vision-prod"): .success([
            "CognitoClientSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tv/cognito-AbCdEf",
        ]),
    ])

    @Test func aCustomResourceResolvesToItsPhysicalIdForAnyDeclaredType() throws {
        let asg = resource("AWS::AutoScaling::AutoScalingGroup", .ref(stack: "tolling-vision-prod",
            logicalId: "AutoScalingCustomResource"))
        #expect(try stacks.physicalId(of: asg).get() == "tolling-vision-prod-asg")
        let legacy = resource("AWS::AutoScaling::AutoScalingGroup", .ref(stack: "tolling-vision-prod",
            logicalId: "LegacyResource"))
        #expect(try stacks.physicalId(of: legacy).get() == "tv-legacy-asg")
        // Every other type is still checked.
        let wrong = resource("AWS::AutoScaling::AutoScalingGroup", .ref(stack: "tolling-vision-prod",
            logicalId: "AppLogs"))
        guard case .failure(let problem) = stacks.physicalId(of: wrong) else {
            Issue.record("a log group taken as a group")
            return
        }
        #expect(
            problem.reason
                == "tolling-vision-prod/AppLogs is a AWS::Logs::LogGroup, not a AWS::AutoScaling::AutoScalingGroup")
        let pending = resource(
            "AWS::AutoScaling::AutoScalingGroup",
            .ref(
                stack: "tolling-vision-prod",
                logicalId: "Pending"))
        guard case .failure(let notYet) = stacks.physicalId(of: pending) else {
            Issue.record("no id resolved")
            return
        }
        #expect(notYet.reason == "tolling-vision-prod/Pending has no physical id yet")
    }

    @Test func anOutputGivesTheIdAsTheKindNamesIt() throws {
        let secret = resource("AWS::SecretsManager::RotationSchedule", .output(stack: "tolling-vision-prod",
            key: "CognitoClientSecretArn"))
        #expect(try stacks.physicalId(of: secret).get()
            == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tv/cognito-AbCdEf")
        let other = resource("AWS::Logs::LogGroup", .output(stack: "other-stack", key: "X"))
        guard case .failure(let problem) = stacks.physicalId(of: other) else { Issue.record("resolved"); return }
        #expect(problem.reason == "stack other-stack was not read")
    }
}
