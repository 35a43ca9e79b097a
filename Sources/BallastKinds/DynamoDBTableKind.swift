import BallastCore

/// DynamoDB tables: billing mode, provisioned throughput, backups and TTL.
public struct DynamoDBTableKind: ResourceKind {
    public static let schema = ResourceSchema(
        type: "AWS::DynamoDB::Table",
        properties: ObjectSchema([
            ("BillingMode", .oneOf(["PROVISIONED", "PAY_PER_REQUEST"])),
            ("ProvisionedThroughput", .object(ObjectSchema([
                ("ReadCapacityUnits", .positive),
                ("WriteCapacityUnits", .positive),
            ]))),
            ("PointInTimeRecoverySpecification", .object(ObjectSchema([
                ("PointInTimeRecoveryEnabled", .boolean),
            ]))),
            ("TimeToLiveSpecification", .object(ObjectSchema([
                ("Enabled", .boolean),
                ("AttributeName", .text),
            ]))),
        ]),
        checks: { r in
            var found: [Diagnostic] = []
            // On-demand tables have no provisioned throughput to set.
            if r.exactValue(at: "/BillingMode") == .string("PAY_PER_REQUEST"), r.expectation(at: "/ProvisionedThroughput") != nil {
                found.append(Diagnostic(r.location(of: "/ProvisionedThroughput"),
                                        "ProvisionedThroughput cannot be set when BillingMode is PAY_PER_REQUEST"))
            }
            // UpdateTimeToLive needs the attribute name to turn TTL on.
            if r.exactValue(at: "/TimeToLiveSpecification/Enabled") == .bool(true),
               r.expectation(at: "/TimeToLiveSpecification/AttributeName") == nil {
                found.append(Diagnostic(r.location(of: "/TimeToLiveSpecification/Enabled"),
                                        "TimeToLiveSpecification.Enabled: true needs AttributeName"))
            }
            return found
        })
}
