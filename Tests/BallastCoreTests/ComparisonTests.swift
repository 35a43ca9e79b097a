import BallastCore
import BallastKinds
import Testing

/// The comparison rules that keep AWS's habits from reading as drift.
@Suite struct ComparisonTests {
    func resource(_ properties: [String: BallastCore.Expectation]) -> DesiredResource {
        DesiredResource(type: "AWS::Test::Thing", identity: .id("x"), region: "us-east-1", environment: "prod",
                        properties: properties, source: SourceLocation(file: "f.yaml", line: 1, column: 1))
    }

    @Test func numbersCompareByValue() {
        #expect(Comparison.differences(resource(["Threshold": .exact(80)]), live: ["Threshold": 80.0]).isEmpty)
        #expect(Comparison.differences(resource(["Threshold": .exact(80)]), live: ["Threshold": 80.5])
            == [PropertyDifference(path: "/Threshold", expected: 80, actual: 80.5, type: .notEqual)])
    }

    @Test func onlyDeclaredLeavesOfObjectsAreCompared() {
        let desired = resource(["ProvisionedThroughput": .object(["ReadCapacityUnits": .exact(5)])])
        #expect(
            Comparison.differences(
                desired,
                live: [
                    "ProvisionedThroughput": ["ReadCapacityUnits": 5, "WriteCapacityUnits": 9],
                    "BillingMode": "PROVISIONED",
                ]
            ).isEmpty)
    }

    @Test func absentAndNullAreRemove() {
        let desired = resource(["RetentionInDays": .exact(30)])
        let expected = [PropertyDifference(path: "/RetentionInDays", expected: 30, actual: nil, type: .remove)]
        #expect(Comparison.differences(desired, live: [:]) == expected)
        #expect(Comparison.differences(desired, live: ["RetentionInDays": .null]) == expected)
    }

    @Test func unorderedListsCompareAsSets() {
        let rules = ComparisonRules(unordered: ["/AlarmActions"])
        let desired = resource(["AlarmActions": .exact(["a", "b"])])
        #expect(Comparison.differences(desired, live: ["AlarmActions": ["b", "a"]], rules: rules).isEmpty)
        #expect(Comparison.differences(desired, live: ["AlarmActions": ["c", "a"]], rules: rules) == [
            PropertyDifference(path: "/AlarmActions/1", expected: "b", actual: nil, type: .remove),
            PropertyDifference(path: "/AlarmActions/0", expected: nil, actual: "c", type: .add),
        ])
        // Without the rule, order matters item by item.
        #expect(Comparison.differences(desired, live: ["AlarmActions": ["b", "a"]]).count == 2)
    }

    @Test func mapsReportEachKey() {
        let desired = resource(["Dimensions": .exact(["QueueName": "frames", "Env": "prod"])])
        #expect(Comparison.differences(desired, live: ["Dimensions": ["QueueName": "frames", "Shard": "1"]]) == [
            PropertyDifference(path: "/Dimensions/Env", expected: "prod", actual: nil, type: .remove),
            PropertyDifference(path: "/Dimensions/Shard", expected: nil, actual: "1", type: .add),
        ])
    }

    @Test func rangesAreInSyncAnywhereInside() {
        let desired = resource(["DesiredCapacity": .range(ValueRange(lower: 2, upper: 10))])
        #expect(Comparison.differences(desired, live: ["DesiredCapacity": 2]).isEmpty)
        #expect(Comparison.differences(desired, live: ["DesiredCapacity": 10]).isEmpty)
        #expect(
            Comparison.differences(desired, live: ["DesiredCapacity": 11])
                == [
                    PropertyDifference(
                        path: "/DesiredCapacity", expected: ["within": [2, 10]], actual: 11, type: .notEqual)
                ])
        #expect(
            Comparison.differences(resource(["RetentionInDays": .range(ValueRange(lower: 30, upper: nil))]), live: [:])
                == [
                    PropertyDifference(path: "/RetentionInDays", expected: ["atLeast": 30], actual: nil, type: .remove)
                ])
    }

    @Test func judgeMapsReadsToStatuses() {
        let desired = resource(["MinSize": .exact(1)])
        #expect(
            ResourceDrift.judge(desired, physicalId: "x", read: .found(["MinSize": 1, "MaxSize": 4])).status == .inSync
        )
        #expect(
            ResourceDrift.judge(desired, physicalId: "x", read: .found(["MinSize": 1, "MaxSize": 4])).live == [
                "MinSize": 1
            ])
        #expect(ResourceDrift.judge(desired, physicalId: "x", read: .found(["MinSize": 2])).status == .modified)
        #expect(ResourceDrift.judge(desired, physicalId: "x", read: .missing).status == .deleted)
        let failed = ResourceDrift.judge(desired, physicalId: "x", read: .failed("AccessDenied"))
        #expect(failed.status == .notChecked && failed.reason == "AccessDenied")
    }
}

/// Kind-level normalization that needs no AWS to show.
@Suite struct KindNormalizationTests {
    /// Lifecycle rules are matched by Id (or, without one, by position to a rule no other
    /// names); live rules the repository does not name, and fields it does not set, are not drift.
    @Test func lifecycleRulesAreOwnedByIdAndOnlyTheirSetFieldsCount() {
        let rules: Value = [["Status": "Enabled", "ExpirationInDays": 30], ["Id": "mine", "Status": "Enabled"]]
        let desired = DesiredResource(
            type: "AWS::S3::Bucket", identity: .id("b"), region: "us-east-1", environment: "prod",
            properties: ["LifecycleConfiguration": .object(["Rules": .exact(rules)])],
            source: SourceLocation(file: "f.yaml", line: 1, column: 1))
        let generated: Value = [
            "Id": "Zm9v", "Status": "Enabled", "ExpirationInDays": 30,
            "Transitions": [["StorageClass": "GLACIER", "TransitionInDays": 90]],
        ]
        let unnamed: Value = ["Id": "theirs", "Status": "Enabled", "TagFilters": [["Key": "k", "Value": "v"]]]
        let mine: Value = ["Id": "mine", "Status": "Enabled", "ExpirationInDays": 5]
        func seen(_ live: [Value]) -> [PropertyDifference] {
            Comparison.differences(desired, live: S3BucketKind.schema.normalized(
                ["LifecycleConfiguration": ["Rules": .list(live)]], for: desired))
        }
        #expect(seen([generated, unnamed, mine]) == [])
        #expect(
            seen([generated, unnamed]) == [
                PropertyDifference(
                    path: "/LifecycleConfiguration/Rules/1/Id", expected: "mine", actual: nil, type: .remove),
                PropertyDifference(
                    path: "/LifecycleConfiguration/Rules/1/Status", expected: "Enabled", actual: nil, type: .remove),
            ])
    }
}
