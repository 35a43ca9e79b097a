import BallastCore

/// Timestream tables, identified as `database/table`: memory and magnetic retention.
public struct TimestreamTableKind: ResourceKind {
    public static let schema = ResourceSchema(
        type: "AWS::Timestream::Table",
        properties: ObjectSchema([
            ("RetentionProperties", .object(ObjectSchema([
                ("MemoryStoreRetentionPeriodInHours", .integer(1...8766)),
                ("MagneticStoreRetentionPeriodInDays", .integer(1...73_000)),
            ]))),
        ]),
        idFormat: IdFormat.parts(2, "database/table"))
}
