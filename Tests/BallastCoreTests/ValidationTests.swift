import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import BallastTestSupport
import Testing

/// Runs the real loader on in-memory files and returns every mistake as printed.
func mistakes(_ files: [String: String], environment: String = "region: us-east-1\n") throws -> [String] {
    var texts = files
    if texts["desired-state/prod/environment.yaml"] == nil {
        texts["desired-state/prod/environment.yaml"] = environment
    }
    return try DesiredStateLoader.builtIn.decode(SourceFiles(texts: texts)).diagnostics.map(\.description)
}

/// Compares every printed mistake, showing both lists when they differ.
func expectMistakes(
    _ files: [String: String], _ expected: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation
) throws {
    let actual = try mistakes(files)
    if actual != expected {
        let (got, wanted) = (actual.joined(separator: "\n  "), expected.joined(separator: "\n  "))
        let shown = "actual:\n  \(got)\nexpected:\n  \(wanted)"
        Issue.record("mistakes differ\n\(shown)", sourceLocation: sourceLocation)
    }
}

/// One resource in `desired-state/prod/r.yaml`; the resource's `type:` is on line 2.
func resource(_ body: String) -> [String: String] {
    ["desired-state/prod/r.yaml": "resources:\n" + body]
}

@Suite struct ValidationTests {
    @Test func validExampleHasNoMistakes() throws {
        let files = resource("""
              - type: AWS::DynamoDB::Table
                id: positions
                properties:
                  BillingMode: PROVISIONED
                  ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 5}

            """)
        try expectMistakes(files, [])
    }

    @Test func unknownTypeSuggestsTheClosest() throws {
        let files = resource("  - type: AWS::Logs::LogGrop\n    id: x\n    properties: {RetentionInDays: 7}\n")
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:2:11: unknown resource type 'AWS::Logs::LogGrop' (did you mean "
                    + "AWS::Logs::LogGroup?)"
            ])
    }

    @Test func unknownPropertySuggestsTheClosest() throws {
        let files = resource("  - type: AWS::Logs::LogGroup\n    id: x\n    properties:\n      RetentionDays: 7\n")
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:5:7: unknown property 'RetentionDays' in AWS::Logs::LogGroup "
                    + "properties (did you mean RetentionInDays?)"
            ])
    }

    @Test func unknownNestedPropertySuggests() throws {
        let files = resource("""
              - type: AWS::DynamoDB::Table
                id: t
                properties:
                  ProvisionedThroughput: {ReadCapacityUnit: 5}

            """)
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:5:31: unknown property 'ReadCapacityUnit' in ProvisionedThroughput "
                    + "(did you mean ReadCapacityUnits?)"
            ])
    }

    @Test func unknownResourceKeySuggests() throws {
        let files = resource("  - type: AWS::Logs::LogGroup\n    id: x\n    propertes: {RetentionInDays: 7}\n")
        let found = try mistakes(files)
        #expect(
            found.contains(
                "desired-state/prod/r.yaml:4:5: unknown key 'propertes' in a resource (did you mean properties?)"))
    }

    @Test func wrongValueType() throws {
        let files = resource("  - type: AWS::Lambda::Function\n    id: f\n    properties:\n      Timeout: \"30\"\n")
        try expectMistakes(files, [
            "desired-state/prod/r.yaml:5:16: Timeout must be an integer from 1 to 900, found string \"30\"",
        ])
    }

    @Test func yamlOneOneBooleansAreRejectedWithAReason() throws {
        let files = resource(
            "  - type: AWS::KMS::Key\n    id: alias/k\n    properties:\n      EnableKeyRotation: yes\n")
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:5:26: EnableKeyRotation must be true or false, found string \"yes\" "
                    + "(YAML 1.2: only true and false are booleans)"
            ])
    }

    @Test func minSizeAboveMaxSize() throws {
        let files = resource(
            "  - type: AWS::AutoScaling::AutoScalingGroup\n    id: g\n    properties:\n      MinSize: 5\n      "
                + "MaxSize: 2\n"
        )
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:5:7: MinSize (5) must not exceed MaxSize (2)"
            ])
    }

    @Test func desiredCapacityOutsideFixedBounds() throws {
        let files = resource("""
              - type: AWS::AutoScaling::AutoScalingGroup
                id: g
                properties:
                  MinSize: 2
                  MaxSize: 4
                  DesiredCapacity: 9

            """)
        try expectMistakes(files, [
            "desired-state/prod/r.yaml:7:7: DesiredCapacity (9) must be between MinSize (2) and MaxSize (4)",
        ])
    }

    @Test func capacitiesMustBePositiveWhereAWSRequires() throws {
        let files = resource("""
              - type: AWS::DynamoDB::Table
                id: t
                properties:
                  ProvisionedThroughput:
                    ReadCapacityUnits: 0

            """)
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:6:28: ProvisionedThroughput.ReadCapacityUnits must be an integer >= "
                    + "1, found integer 0"
            ])
    }

    @Test func retentionMustBeAValueCloudWatchLogsAccepts() throws {
        let files = resource("  - type: AWS::Logs::LogGroup\n    id: x\n    properties:\n      RetentionInDays: 31\n")
        let found = try mistakes(files)
        #expect(found.count == 1)
        #expect(
            found[0].hasPrefix("desired-state/prod/r.yaml:5:24: RetentionInDays must be one of 1, 3, 5, 7, 14, 30,"))
        #expect(found[0].hasSuffix("31 is not (nearest: 30)"))
    }

    @Test func timestreamAndLambdaBounds() throws {
        let files = resource("""
              - type: AWS::Timestream::Table
                id: db/table
                properties:
                  RetentionProperties:
                    MemoryStoreRetentionPeriodInHours: 9000
              - type: AWS::Lambda::Function
                id: f
                properties:
                  MemorySize: 64

            """)
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:6:44: RetentionProperties.MemoryStoreRetentionPeriodInHours must be "
                    + "an integer from 1 to 8766, found integer 9000",
                "desired-state/prod/r.yaml:10:19: MemorySize must be an integer from 128 to 10240, found integer 64",
            ])
    }

    @Test func idAndRefAreExclusiveAndOneIsRequired() throws {
        let files = resource("""
              - type: AWS::Logs::LogGroup
                id: x
                ref: {stack: s, logicalId: L}
                properties: {RetentionInDays: 7}
              - type: AWS::Logs::LogGroup
                properties: {RetentionInDays: 7}
              - type: AWS::Logs::LogGroup
                ref: {stack: s}
                properties: {RetentionInDays: 7}

            """)
        try expectMistakes(files, [
            "desired-state/prod/r.yaml:4:5: give either 'id' or 'ref', not both",
            "desired-state/prod/r.yaml:6:5: a resource needs 'id' (its physical id) or 'ref: {stack, logicalId}'",
            "desired-state/prod/r.yaml:9:10: ref is missing 'logicalId'",
        ])
    }

    @Test func idShapeIsCheckedPerKind() throws {
        let files = resource(
            "  - type: AWS::ECS::Service\n    id: just-a-service\n    properties: {DesiredCount: 1}\n")
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:3:9: 'just-a-service' is not a valid id for AWS::ECS::Service "
                    + "(expected cluster/service)"
            ])
    }

    @Test func rangesAreCheckedForShapeOrderAndType() throws {
        let files = resource("""
              - type: AWS::AutoScaling::AutoScalingGroup
                id: g
                properties:
                  DesiredCapacity: {within: [10, 2]}
                  MaxSize: {atMost: 2.5}
                  MinSize: {atleast: 1}
              - type: AWS::Events::Rule
                id: r
                properties:
                  State: {atLeast: 1}

            """)
        try expectMistakes(files, [
            "desired-state/prod/r.yaml:5:24: DesiredCapacity: the range's lowest bound 10 is above its highest 2",
            "desired-state/prod/r.yaml:6:25: MaxSize must be a non-negative integer, found number 2.5",
            "desired-state/prod/r.yaml:7:17: unknown key 'atleast' in a range (did you mean atLeast?)",
            "desired-state/prod/r.yaml:7:16: a range needs 'within', 'atLeast' or 'atMost'",
            "desired-state/prod/r.yaml:11:14: State does not accept a range (within/atLeast/atMost apply to numbers)",
        ].sorted(by: byLocation))
    }

    @Test func rangesAreAccepted() throws {
        let state = try DesiredStateLoader.builtIn.decode(
            SourceFiles(texts: [
                "desired-state/prod/environment.yaml": "region: us-east-1\n",
                "desired-state/prod/r.yaml":
                    "resources:\n  - type: AWS::Logs::LogGroup\n    id: x\n    properties:\n      "
                        + "RetentionInDays: {atLeast: 30}\n",
            ]))
        #expect(state.diagnostics.isEmpty)
        let resource = try #require(state.state.environments.first?.resources.first)
        #expect(resource.properties["RetentionInDays"] == .range(ValueRange(lower: .int(30), upper: nil)))
        #expect(resource.source == SourceLocation(file: "desired-state/prod/r.yaml", line: 2, column: 5))
        #expect(resource.location(of: "/RetentionInDays").line == 5)
    }

    @Test func crossPropertyRulesPerKind() throws {
        let files = resource("""
              - type: AWS::DynamoDB::Table
                id: t
                properties:
                  BillingMode: PAY_PER_REQUEST
                  ProvisionedThroughput: {ReadCapacityUnits: 5}
                  TimeToLiveSpecification: {Enabled: true}
              - type: AWS::SecretsManager::RotationSchedule
                id: s
                properties:
                  RotationRules: {AutomaticallyAfterDays: 30, ScheduleExpression: rate(10 days)}
              - type: AWS::KMS::Key
                id: alias/k
                properties: {EnableKeyRotation: false, RotationPeriodInDays: 365}

            """)
        try expectMistakes(
            files,
            [
                "desired-state/prod/r.yaml:6:7: ProvisionedThroughput cannot be set when BillingMode is "
                    + "PAY_PER_REQUEST",
                "desired-state/prod/r.yaml:7:33: TimeToLiveSpecification.Enabled: true needs AttributeName",
                "desired-state/prod/r.yaml:11:51: RotationRules.ScheduleExpression cannot be combined with "
                    + "RotationRules.AutomaticallyAfterDays",
                "desired-state/prod/r.yaml:14:44: RotationPeriodInDays needs EnableKeyRotation: true",
            ])
    }

    @Test func duplicateIdentityAcrossFiles() throws {
        let files = [
            "desired-state/prod/a.yaml": Fixture.logGroup("/aws/x", days: 7),
            "desired-state/prod/b.yaml": Fixture.logGroup("/aws/x", days: 14),
        ]
        try expectMistakes(
            files,
            [
                "desired-state/prod/b.yaml:2:5: duplicate resource: AWS::Logs::LogGroup /aws/x in us-east-1 is "
                    + "already declared at desired-state/prod/a.yaml:2:5 (environment prod)"
            ])
    }

    @Test func sameIdInAnotherRegionOrAnotherAccountsEnvironmentIsFine() throws {
        let files = [
            "desired-state/prod/environment.yaml": "region: us-east-1\naccount: \"111111111111\"\n",
            "desired-state/prod/a.yaml": Fixture.logGroup("/aws/x", days: 7),
            "desired-state/prod/b.yaml": Fixture.logGroup("/aws/x", days: 7).replacingOccurrences(
                of: "    id:", with: "    region: eu-west-1\n    id:"),
            "desired-state/staging/environment.yaml": "region: us-east-1\naccount: \"222222222222\"\n",
            "desired-state/staging/a.yaml": Fixture.logGroup("/aws/x", days: 7),
        ]
        try expectMistakes(files, [])
    }

    @Test func malformedYAML() throws {
        let files = ["desired-state/prod/r.yaml": "resources:\n  - type: [unclosed\n"]
        let found = try mistakes(files)
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("desired-state/prod/r.yaml:3:1: YAML syntax error"))
    }

    @Test func environmentFileMistakes() throws {
        let files = [
            "desired-state/prod/environment.yaml": """
                region: us-east1
                account: 12345
                changeWindows:
                  - days: [Sun, Funday]
                    start: "25:00"
                    end: "04:00"
                lockTabel: locks

                """,
        ]
        try expectMistakes(
            files,
            [
                "desired-state/prod/environment.yaml:1:9: 'us-east1' is not an AWS region name (like us-east-1)",
                "desired-state/prod/environment.yaml:2:10: account must be a 12-digit AWS account id in quotes, "
                    + "like \"123456789012\"",
                "desired-state/prod/environment.yaml:4:17: \"Funday\" is not a day name (use Sun, Mon, Tue, "
                    + "Wed, Thu, Fri, Sat)",
                "desired-state/prod/environment.yaml:5:12: '25:00' is not a UTC time of day as HH:MM (00:00 to 24:00)",
                "desired-state/prod/environment.yaml:7:1: unknown key 'lockTabel' in environment.yaml (did you "
                    + "mean lockTable?)",
            ])
    }

    @Test func missingEnvironmentFile() throws {
        let files = ["desired-state/qa/r.yaml": Fixture.logGroup("/x", days: 7)]
        let found = try DesiredStateLoader.builtIn.decode(SourceFiles(texts: files)).diagnostics.map(\.description)
        #expect(
            found == [
                "desired-state/qa/environment.yaml: missing: every environment folder needs an environment.yaml "
                    + "with at least 'region'"
            ])
    }

    @Test func resourceFileOutsideAnEnvironmentFolder() throws {
        let found = try mistakes(["desired-state/stray.yaml": Fixture.logGroup("/x", days: 7)])
        #expect(
            found == [
                "desired-state/stray.yaml: resource files belong in an environment folder "
                    + "(desired-state/<environment>/)"
            ])
    }

    /// An empty value is a mistake; where AWS may leave the property unset, the message says how to say so.
    @Test func nullValueIsAMistake() throws {
        let files = resource("  - type: AWS::Logs::LogGroup\n    id: x\n    properties:\n      RetentionInDays:\n")
        try expectMistakes(files, [
            "desired-state/prod/r.yaml:5:23: RetentionInDays has no value; remove it to leave the property unmanaged "
                + "(write `null` to say it must be unset)",
        ])
        let queue = resource("  - type: AWS::SQS::Queue\n    id: q\n    properties:\n      DelaySeconds: null\n")
        try expectMistakes(queue, [
            "desired-state/prod/r.yaml:5:21: DelaySeconds has no value; remove it to leave the property unmanaged",
        ])
    }

    @Test func everyMistakeIsReportedInOneRun() throws {
        let files = [
            "desired-state/prod/a.yaml": "resources:\n  - type: AWS::Nope\n    id: x\n    properties: {}\n",
            "desired-state/prod/b.yaml":
                "resources:\n  - type: AWS::Lambda::Function\n    id: f\n    properties: {Timeout: 0, "
                    + "MemorySize: 1}\n",
            "desired-state/prod/c.yaml": "resources: [\n",
        ]
        #expect(try mistakes(files).count == 4)
    }

    @Test func policyFileOutlineIsChecked() throws {
        let files = ["policies/p.yaml": "policies: []\nwaiver: []\n"]
        try expectMistakes(
            files, ["policies/p.yaml:2:1: unknown key 'waiver' in a policy file (did you mean waivers?)"])
    }

    @Test func unknownEnvironmentIsAnError() throws {
        #expect(throws: LoadError.self) {
            try DesiredStateLoader.builtIn.decode(SourceFiles(texts: [
                "desired-state/prod/environment.yaml": "region: us-east-1\n"]),
                                            environments: ["prd"])
        }
    }
}

private func byLocation(_ a: String, _ b: String) -> Bool {
    func key(_ s: String) -> (Int, Int) {
        let parts = s.split(separator: ":")
        return (Int(parts[1]) ?? 0, Int(parts[2]) ?? 0)
    }
    return key(a) < key(b)
}

/// One log group declared in prod and in qa: a duplicate unless the environments name different accounts.
@Suite struct DuplicateAcrossEnvironmentsTests {
    static let duplicate =
        "desired-state/qa/a.yaml:2:5: duplicate resource: AWS::Logs::LogGroup /aws/shared in us-east-1 "
        + "is already declared at desired-state/prod/a.yaml:2:5 (environment prod); if the two environments are in "
        + "different AWS accounts, give each environment.yaml its `account`"

    func files(prod: String?, qa: String?) -> [String: String] {
        func environment(_ account: String?) -> String {
            "region: us-east-1\n" + (account.map { "account: \"\($0)\"\n" } ?? "")
        }
        return [
            "desired-state/prod/environment.yaml": environment(prod),
            "desired-state/prod/a.yaml": Fixture.logGroup("/aws/shared", days: 7),
            "desired-state/qa/environment.yaml": environment(qa),
            "desired-state/qa/a.yaml": Fixture.logGroup("/aws/shared", days: 14),
        ]
    }

    @Test func sameAccountInTwoEnvironmentsIsADuplicate() throws {
        try expectMistakes(files(prod: "123456789012", qa: "123456789012"), [Self.duplicate])
    }

    /// Without accounts, nothing says the two are apart: apply would write both values in turn.
    @Test func twoEnvironmentsWithoutBothAccountsNamingOneResourceAreADuplicate() throws {
        try expectMistakes(files(prod: nil, qa: "123456789012"), [Self.duplicate])
        try expectMistakes(files(prod: nil, qa: nil), [Self.duplicate])
    }

    @Test func theSameNameInTwoAccountsIsTwoResources() throws {
        try expectMistakes(files(prod: "111111111111", qa: "222222222222"), [])
    }
}

/// A shard's load (`LoadRequest.keep`): only its resources kept, every mistake still found, the same
/// resources as the whole load cut to the shard, and the count of every resource declared.
@Suite struct KeptLoadTests {
    static func files() -> [String: String] {
        var files: [String: String] = [:]
        for environment in ["prod", "qa", "staging"] {
            files["desired-state/\(environment)/environment.yaml"] = "region: us-east-1\n"
            files["desired-state/\(environment)/a.yaml"] = "resources:\n"
                + (0..<30).map { "  - {type: AWS::Logs::LogGroup, id: /aws/\(environment)/\($0), "
                    + "properties: {RetentionInDays: 7}}\n" }.joined()
        }
        return files
    }

    @Test func aShardsLoadKeepsWhatTheWholeLoadCutToTheShardHolds() throws {
        let whole = try DesiredStateLoader.builtIn.decode(SourceFiles(texts: Self.files()))
        #expect(whole.declaredResources == 90)
        for index in 1...4 {
            let shard = try #require(Shard(index: index, count: 4))
            let kept = try DesiredStateLoader.builtIn.decode(SourceFiles(texts: Self.files()),
                                                             keep: { shard.contains($0) })
            #expect(kept.declaredResources == 90)
            func keys(_ state: DesiredState) -> [String] {
                state.environments.flatMap { environment in environment.resources.map(\.key.text) }
            }
            #expect(keys(kept.state) == keys(shard.slice(whole.state)), "shard \(index)/4")
            #expect(kept.state.environments.map(\.name) == whole.state.environments.map(\.name))
            #expect(kept.state.resourceCount < 90)
        }
    }

    /// The duplicate is in qa; whichever shard holds it, every shard's load says it.
    @Test func aDuplicateOutsideTheShardIsStillAMistake() throws {
        var files = Self.files()
        files["desired-state/qa/b.yaml"] = "resources:\n"
            + "  - {type: AWS::Logs::LogGroup, id: /aws/prod/3, properties: {RetentionInDays: 7}}\n"
        for index in 1...4 {
            let shard = try #require(Shard(index: index, count: 4))
            let kept = try DesiredStateLoader.builtIn.decode(SourceFiles(texts: files), keep: { shard.contains($0) })
            #expect(kept.diagnostics.map(\.description).contains { $0.contains("duplicate resource") },
                    "shard \(index)/4: \(kept.diagnostics)")
        }
    }
}
