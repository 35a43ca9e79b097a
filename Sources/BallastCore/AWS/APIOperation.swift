/// One AWS API operation ballast calls: the single value the planner, the applier,
/// `iam-policy`, `--dry-run-reads` and the rate table read. A kind declares each of its
/// reads and writes once, as one of these, next to the code that calls it.
public struct APIOperation: Sendable, Hashable, CustomStringConvertible {
    public let service: AWSService
    /// The API's name: `PutBucketLifecycleConfiguration`.
    public let name: String
    /// The action IAM authorizes it by, which is not always the API's name
    /// (`s3:PutLifecycleConfiguration`).
    public let iamAction: String
    /// Whether repeating it is safe: every write ballast makes sets absolute values.
    public let idempotent: Bool
    /// The `eventName` CloudTrail records a call by: the API's name, or the first part of it (CloudTrail
    /// logs `PutBucketLifecycleConfiguration` as `PutBucketLifecycle`; Lambda's names carry a version
    /// after the name, `UpdateFunctionConfiguration20150331v2`). An event rule matches it as a prefix.
    public let eventName: String

    public init(_ service: AWSService, _ name: String, iamAction: String? = nil, idempotent: Bool = true,
                eventName: String? = nil) {
        self.service = service
        self.name = name
        self.iamAction = iamAction ?? service.iamPrefix + ":" + name
        self.idempotent = idempotent
        self.eventName = eventName ?? name
    }

    /// The `eventSource` CloudTrail records the service's calls under: `logs.amazonaws.com`.
    public var eventSource: String { service.signingName + ".amazonaws.com" }

    /// `logs:PutRetentionPolicy`: IAM's service prefix and the API's name. A plan file's `call`,
    /// and the key the rate table paces by (`RequestRates.key(_:)`).
    public var call: String { service.iamPrefix.isEmpty ? name : service.iamPrefix + ":" + name }

    public var description: String { call }

    /// An operation known only by its `call` in a record: a journal entry of a write no kind of
    /// this build makes any more, which history still shows as it was.
    public init(recordedCall call: String) {
        let parts = call.split(separator: ":", maxSplits: 1).map(String.init)
        let prefix = parts.count == 2 ? parts[0] : ""
        self.init(AWSService(serviceId: prefix, signingName: prefix, endpointPrefix: prefix, apiVersion: "",
                             wire: .query), parts.last ?? "", iamAction: call)
    }

    /// One operation is one `call` (service and API name); the other fields follow from it.
    public static func == (lhs: APIOperation, rhs: APIOperation) -> Bool { lhs.call == rhs.call }

    public func hash(into hasher: inout Hasher) { hasher.combine(call) }
}

/// What a planned change does to its resource. Only updates today: ballast changes settings of
/// resources that exist, and never creates or deletes one.
public enum ChangeAction: String, Sendable, Hashable {
    case update
}
