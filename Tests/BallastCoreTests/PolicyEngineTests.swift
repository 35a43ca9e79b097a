import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import Foundation
import Testing

/// The policy engine without AWS: ranges at each bound, result order, and a
/// change to a `ref:` resource finding its desired resource through the drift report.
@Suite struct PolicyEngineTests {
    func decode(_ resources: String, policies: String) throws -> DecodedFiles {
        let decoded = try DesiredStateLoader.builtIn.decode(SourceFiles(texts: [
            "desired-state/prod/environment.yaml": "region: us-east-1\n",
            "desired-state/prod/resources.yaml": resources,
            "policies/p.yaml": policies,
        ]))
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
        return decoded
    }

    @Test func aRangedPropertyMustHoldAtEachFiniteBound() throws {
        let decoded = try decode("""
            resources:
              - {type: AWS::AutoScaling::AutoScalingGroup, id: ok, properties: {DesiredCapacity: {within: [2, 6]}}}
              - {type: AWS::AutoScaling::AutoScalingGroup, id: low, properties: {DesiredCapacity: {within: [1, 6]}}}
              - {type: AWS::AutoScaling::AutoScalingGroup, id: open, properties: {DesiredCapacity: {atMost: 6}}}
            """, policies: """
            policies:
              - {id: two-or-more, severity: deny, assert: properties.DesiredCapacity >= 2, message: at least two}
            """)
        let results = PolicyEngine(decoded.policies).check(decoded.state)
        // {atMost: 6} has one finite bound, 6, which holds (spec section 5: each finite bound).
        #expect(results.map(\.result) == [.pass, .fail, .pass])
        #expect(results[1].message == "at least two (with DesiredCapacity = 1)")
    }

    @Test func resultsFollowTheResourcesThenThePoliciesInTheirFiles() throws {
        let decoded = try decode("""
            resources:
              - {type: AWS::Logs::LogGroup, id: /b, properties: {RetentionInDays: 7}}
              - {type: AWS::Logs::LogGroup, id: /a, properties: {RetentionInDays: 30}}
            """, policies: """
            policies:
              - {id: second-in-file, severity: warn, assert: "true"}
              - {id: first-in-file, severity: deny, assert: properties.RetentionInDays >= 14}
            """)
        let results = PolicyEngine(decoded.policies).check(decoded.state)
        #expect(results.map { "\($0.resource) \($0.policy) \($0.result)" } == [
            "AWS::Logs::LogGroup /b second-in-file pass", "AWS::Logs::LogGroup /b first-in-file fail",
            "AWS::Logs::LogGroup /a second-in-file pass", "AWS::Logs::LogGroup /a first-in-file pass",
        ])
    }

    @Test func aChangeToARefResourceSeesItsDesiredProperties() throws {
        let decoded = try decode("""
            resources:
              - type: AWS::AutoScaling::AutoScalingGroup
                ref: {stack: web, logicalId: Group}
                properties: {MinSize: 2, DesiredCapacity: 4}
            """, policies: """
            policies:
              - id: step-within-min
                severity: deny
                on: change
                assert: after.DesiredCapacity >= properties.MinSize && resource.source.startsWith('desired-state/prod/resources.yaml:')
            """)
        let resource = try #require(decoded.state.environments.first?.resources.first)
        // The plan writes the physical id the stack resolved the ref to.
        let change = PlannedChange(
            resource.key, id: "web-Group-1A2B3C",
            operation: APIOperation(.autoScaling, "UpdateAutoScalingGroup"),
            set: ["/DesiredCapacity": .init(from: 2, to: 4)])
        let drift = DriftReport(
            revision: "r", generatedAt: Date(),
            environments: [
                EnvironmentDrift(
                    name: "prod", region: "us-east-1",
                    resources: [ResourceDrift(resource: resource, physicalId: "web-Group-1A2B3C", status: .modified)])
            ])
        let engine = PolicyEngine(decoded.policies)
        #expect(engine.check(decoded.state, changes: [change], drift: drift).map(\.result) == [.pass])
        // The change carries its declared key, so the report is not needed to find its resource.
        #expect(engine.check(decoded.state, changes: [change]).map(\.result) == [.pass])
        // A change of a resource that is not declared: the policy cannot read properties and errs, never passes.
        var stray = change
        stray.key = ResourceKey(environment: "prod", type: resource.type, id: "web-Group-1A2B3C", region: "us-east-1")
        let unmapped = engine.check(decoded.state, changes: [stray])
        #expect(unmapped.map(\.result) == [.error])
        #expect(unmapped.first?.message.contains("no such key: 'MinSize'") == true)
    }
}
