import BallastCore
import BallastDesiredState
import BallastKinds
import Testing

/// A planned change is destructive when one of its values moves the way its kind declares destructive,
/// and only then; every declared case names a property of its kind, of a type that can move that way.
@Suite struct ChangeRiskTests {
    static let kinds = Kinds.builtIn

    /// The value type at `path` (`/A/B`) in a kind's properties.
    static func type(at path: String, in kind: AnyResourceKind) -> ValueType? {
        var schema: ObjectSchema? = kind.schema.resource.properties
        var found: ValueType?
        for name in path.split(separator: "/").map(String.init) {
            found = schema?[name]
            if case .object(let inner)? = found { schema = inner } else { schema = nil }
        }
        return found
    }

    static func change(_ kind: AnyResourceKind, _ path: String, from: Value?, to: Value) -> PlannedChange {
        let key = ResourceKey(environment: "prod", type: kind.schema.type, id: "r", region: "us-east-1")
        return PlannedChange(key, operation: kind.schema.writes[0], set: [path: .init(from: from, to: to)],
                             kind: kind)
    }

    @Test func everyDeclaredCaseIsAPropertyThatCanMoveThatWay() {
        let cases = Self.kinds.all.flatMap { kind in kind.schema.destructive.map { (kind, $0) } }
        #expect(cases.count >= 9, "\(cases.count) cases")
        for (kind, destructive) in cases {
            let type = Self.type(at: destructive.path, in: kind)
            switch (destructive.direction, type) {
            case (.lowered, .integer?), (.lowered, .integerIn?), (.lowered, .number?),
                 (.turnedOff, .boolean?), (.turnedOn, .boolean?): break
            default: Issue.record("\(kind.schema.type) \(destructive.path): \(String(describing: type))")
            }
            #expect(destructive.source.hasPrefix("https://docs.aws.amazon.com/"), "\(destructive.source)")
        }
    }

    /// Each case, both ways: the destructive direction is marked with its reason, the other is not.
    @Test func eachCaseIsMarkedOneWayOnly() {
        for kind in Self.kinds.all {
            for destructive in kind.schema.destructive {
                let (harmful, harmless): ((Value?, Value), (Value?, Value)) = switch destructive.direction {
                case .lowered: ((30, 7), (7, 30))
                case .turnedOff: ((true, false), (false, true))
                case .turnedOn: ((false, true), (true, false))
                }
                let marked = Self.change(kind, destructive.path, from: harmful.0, to: harmful.1)
                #expect(marked.risk == ChangeRisk(.destructive, reason: destructive.reason),
                        "\(kind.schema.type) \(destructive.path)")
                #expect(marked.json["risk"]?["class"] == "destructive")
                let unmarked = Self.change(kind, destructive.path, from: harmless.0, to: harmless.1)
                #expect(unmarked.risk == nil && unmarked.json["risk"] == nil,
                        "\(kind.schema.type) \(destructive.path)")
            }
        }
    }

    /// A log group that never expires given a retention is a limit where there was none; a queue's
    /// retention set where AWS said nothing is not judged.
    @Test func aLimitWhereThereWasNoneIsLoweredOnlyWhereUnsetIsUnlimited() throws {
        let logs = try #require(Self.kinds.kind(for: "AWS::Logs::LogGroup"))
        #expect(Self.change(logs, "/RetentionInDays", from: nil, to: 90).risk != nil)
        #expect(Self.change(logs, "/RetentionInDays", from: .null, to: 3653).risk != nil)
        #expect(Self.change(logs, "/RetentionInDays", from: 30, to: .null).risk == nil, "never expires keeps all")
        let queue = try #require(Self.kinds.kind(for: "AWS::SQS::Queue"))
        #expect(Self.change(queue, "/MessageRetentionPeriod", from: nil, to: 60).risk == nil)
        // A change that does not touch the case's property is not marked by it.
        #expect(Self.change(queue, "/VisibilityTimeout", from: 300, to: 30).risk == nil)
    }

    /// Policies see `change.risk`: a policy that denies destructive changes fails on one and passes the
    /// opposite change; its waiver, for that resource until a date, lets it through.
    @Test func aPolicySeesTheRiskAndAWaiverLetsItThrough() throws {
        let logs = try #require(Self.kinds.kind(for: "AWS::Logs::LogGroup"))
        func results(waived: Bool) throws -> [PolicyResult.Outcome] {
            let waiver = """

                waivers:
                  - {policy: no-destructive-change, id: r, until: 2099-01-01, reason: INC-7 disk budget}
                """
            let decoded = try DesiredStateLoader.builtIn.decode(SourceFiles(texts: [
                "desired-state/prod/environment.yaml": "region: us-east-1\n",
                "desired-state/prod/resources.yaml":
                    "resources:\n  - {type: AWS::Logs::LogGroup, id: r, properties: {RetentionInDays: 30}}\n",
                "policies/p.yaml": """
                    policies:
                      - id: no-destructive-change
                        severity: deny
                        on: change
                        match: {environments: [prod]}
                        assert: "!has(change.risk) || change.risk.class != 'destructive'"
                    """ + (waived ? waiver : "") + "\n",
            ]))
            #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
            let changes = [Self.change(logs, "/RetentionInDays", from: 90, to: 30),
                           Self.change(logs, "/RetentionInDays", from: 7, to: 30)]
            return PolicyEngine(decoded.policies).check(decoded.state, changes: changes).map(\.result)
        }
        #expect(try results(waived: false) == [.fail, .pass])
        #expect(try results(waived: true) == [.waived, .pass])
    }
}
