import Foundation

/// The request quotas AWS documents for the operations ballast and Terraform call here, as AWS
/// enforces them: a token bucket per quota (several operations can share one), refilled at the
/// quota, holding one second of it unless AWS documents another burst. Independent of ballast's
/// own rate table on purpose: this is the AWS the benchmark measures ballast against. An
/// operation AWS documents no quota for is not limited.
public enum AWSQuotas {
    public struct Quota: Sendable, Equatable {
        /// The bucket: operations with one name share it.
        public let bucket: String
        public let perSecond: Double
        public let burst: Double

        init(_ bucket: String, _ perSecond: Double, burst: Double? = nil) {
            self.bucket = bucket
            self.perSecond = perSecond
            self.burst = burst ?? perSecond
        }
    }

    /// The quota of `operation` as the proxy names it (`DynamoDB_20120810.DescribeTable`,
    /// `Action=DescribeAlarms`, `GET functions/NAME`), nil where AWS documents none.
    public static func quota(of operation: String) -> Quota? {
        let (service, name) = split(operation)
        switch service {
        case "dynamodb":
            // "Best practices for managing the control plane in DynamoDB": 2,500 per second.
            // Every call but the data plane's item calls.
            let dataPlane: Set<String> = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                                          "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems",
                                          "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"]
            return dataPlane.contains(name) ? nil : Quota("dynamodb control plane", 2_500)
        case "logs":
            // "CloudWatch Logs quotas".
            return ["DescribeLogGroups": Quota("logs:DescribeLogGroups", 10),
                    "PutRetentionPolicy": Quota("logs:PutRetentionPolicy", 5)][name]
        case "cloudwatch":
            // "CloudWatch service quotas".
            return ["DescribeAlarms": Quota("cloudwatch:DescribeAlarms", 9),
                    "PutMetricAlarm": Quota("cloudwatch:PutMetricAlarm", 3),
                    "PutMetricData": Quota("cloudwatch:PutMetricData", 500)][name]
        case "lambda":
            // "Lambda quotas": GetFunction 100 per second; the rest of the control plane 15.
            return name == "GetFunction" ? Quota("lambda:GetFunction", 100) : Quota("lambda control plane", 15)
        case "kms":
            // "AWS KMS request quotas".
            return ["DescribeKey": Quota("kms:DescribeKey", 2_000),
                    "GetKeyRotationStatus": Quota("kms:GetKeyRotationStatus", 1_000),
                    "EnableKeyRotation": Quota("kms:EnableKeyRotation", 15),
                    "DisableKeyRotation": Quota("kms:DisableKeyRotation", 5)][name]
        case "rds":
            // "Request throttling for the Amazon RDS API": a burst of 300, sustained 12 per second.
            return Quota("rds", 12, burst: 300)
        case "events":
            // "Amazon EventBridge quotas": "Throttle limit in transactions per second for control plane
            // APIs", 50 per second; PutEvents has its own (regional) quota.
            return name == "PutEvents" ? nil : Quota("events", 50)
        case "secretsmanager":
            // "AWS Secrets Manager quotas".
            return ["DescribeSecret": Quota("secretsmanager:DescribeSecret", 40_000),
                    "RotateSecret": Quota("secretsmanager:RotateSecret", 50)][name]
        case "timestream":
            // "Timestream for LiveAnalytics quotas": Create/Update/Delete 1 per second, List/Describe 5.
            if ["CreateTable", "UpdateTable", "DeleteTable", "CreateDatabase"].contains(name) {
                return Quota("timestream crud", 1)
            }
            return name.hasPrefix("Describe") || name.hasPrefix("List") ? Quota("timestream other", 5) : nil
        case "ecs":
            // "Request throttling for the Amazon ECS API": service reads refill 20 a second (its bucket
            // size for them was not confirmed here: one second of it, the table's default).
            return name == "DescribeServices" ? Quota("ecs service reads", 20) : nil
        default:
            return nil
        }
    }

    /// The fewest seconds the quotas allow for `calls` (operation -> count): each bucket spends
    /// its burst at once and the rest at its rate, all buckets at the same time; the slowest decides.
    public static func floorSeconds(_ calls: [String: Int]) -> Double {
        bucketSeconds(calls).first?.seconds ?? 0
    }

    /// The least time for a plan-then-apply run's calls (`log`, in order): its reads before the
    /// first write, its writes, and its reads after the last write (the read-back) go in turn,
    /// as a run that plans before it writes must; each phase at its floor, plus a round trip.
    public static func phasedFloorSeconds(_ log: [(operation: String, at: Double)], roundTrip: Double) -> Double {
        let writes = log.indices.filter { isWrite(log[$0].operation) }
        guard let first = writes.first, let last = writes.last else {
            return floorSeconds(counts(log[...])) + roundTrip
        }
        let phases = [log[..<first], log[first...last].filter { isWrite($0.operation) }[...], log[(last + 1)...]]
        return phases.map { floorSeconds(counts($0)) + ($0.isEmpty ? 0 : roundTrip) }.reduce(0, +)
    }

    static func counts(_ log: ArraySlice<(operation: String, at: Double)>) -> [String: Int] {
        log.reduce(into: [:]) { $0[$1.operation, default: 0] += 1 }
    }

    /// A call that changes something, by its name (`PutRetentionPolicy`, `PUT functions/...`).
    public static func isWrite(_ operation: String) -> Bool {
        let name = split(operation).1
        if operation.hasPrefix("PUT ") || operation.hasPrefix("POST ") { return !name.hasPrefix("GET") }
        return ["Put", "Update", "Modify", "Enable", "Disable", "Register", "Rotate", "Create", "Delete", "Tag"]
            .contains { name.hasPrefix($0) }
    }

    /// Each bucket's least time for `calls`, slowest first.
    public static func bucketSeconds(_ calls: [String: Int]) -> [(bucket: String, calls: Int, seconds: Double)] {
        var perBucket: [String: (quota: Quota, count: Int)] = [:]
        for (operation, count) in calls {
            guard let quota = quota(of: operation) else { continue }
            perBucket[quota.bucket, default: (quota, 0)].count += count
        }
        return perBucket.map { ($0.key, $0.value.count,
                                max(0, Double($0.value.count) - $0.value.quota.burst) / $0.value.quota.perSecond) }
            .sorted { $0.seconds > $1.seconds }
    }

    /// (service, operation) of a proxy operation name, whatever the protocol.
    static func split(_ operation: String) -> (String, String) {
        if operation.contains("functions/") {
            return ("lambda", operation.hasPrefix("GET ") ? "GetFunction" : operation)
        }
        if operation.hasPrefix("Action=") {
            let name = String(operation.dropFirst(7))
            let services = ["DescribeAlarms": "cloudwatch", "PutMetricAlarm": "cloudwatch",
                            "PutMetricData": "cloudwatch", "DescribeDBInstances": "rds", "ModifyDBInstance": "rds"]
            return (services[name] ?? "query", name)
        }
        if let operationPath = operation.range(of: "/operation/") {   // rpc-v2-cbor: /service/X/operation/Y
            let name = String(operation[operationPath.upperBound...])
            return (operation.contains("GraniteServiceVersion20100801") ? "cloudwatch" : "cbor", name)
        }
        let parts = operation.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return ("rest", operation) }
        let prefixes = ["DynamoDB_20120810": "dynamodb", "Logs_20140328": "logs", "TrentService": "kms",
                        "AWSEvents": "events", "secretsmanager": "secretsmanager", "Timestream_20181101": "timestream",
                        "AmazonEC2ContainerServiceV20141113": "ecs", "GraniteServiceVersion20100801": "cloudwatch"]
        return (prefixes[parts[0]] ?? parts[0], parts[1])
    }
}
