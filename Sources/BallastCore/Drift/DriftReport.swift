import FoundationEssentials

/// CloudFormation drift detection's resource statuses.
public enum DriftStatus: String, Sendable, CaseIterable {
    case inSync = "IN_SYNC"
    case modified = "MODIFIED"
    /// The resource does not exist.
    case deleted = "DELETED"
    /// It could not be read; `reason` says why.
    case notChecked = "NOT_CHECKED"
}

/// One desired resource paired with what AWS says about it.
public struct ResourceDrift: Sendable {
    public var resource: DesiredResource
    /// The id that was read: the declared one, or the one a `ref` resolved to.
    public var physicalId: String?
    public var status: DriftStatus
    public var differences: [PropertyDifference]
    public var reason: String?
    /// The declared top-level properties as read, for reports and plans.
    public var live: [String: Value]?
    /// Terraform or CloudFormation, when one of them manages the resource too.
    public var managedBy: ManagedBy?
    /// Which path read it (its kind's own code, or Cloud Control); nil when it was not read.
    public var via: KindPath?
    /// Who changed it and since when, with `--explain`.
    public var attribution: Attribution?
    /// A hold on it that ended since a run last said so (said once).
    public var holdEnded: HoldMark?
    /// Whether the rotation it configures happened (a rotation schedule, a KMS key with rotation on).
    public var rotation: Rotation?

    public init(resource: DesiredResource, physicalId: String?, status: DriftStatus,
                differences: [PropertyDifference] = [], reason: String? = nil, live: [String: Value]? = nil) {
        self.resource = resource
        self.physicalId = physicalId
        self.status = status
        self.differences = differences
        self.reason = reason
        self.live = live
    }

    /// Pairs a resource with its read: missing is DELETED, unreadable is
    /// NOT_CHECKED, otherwise the declared properties decide.
    public static func judge(_ resource: DesiredResource, physicalId: String, read: LiveRead,
                             rules: ComparisonRules = .plain) -> ResourceDrift {
        switch read {
        case .missing:
            return ResourceDrift(resource: resource, physicalId: physicalId, status: .deleted)
        case .failed(let reason):
            return ResourceDrift(resource: resource, physicalId: physicalId, status: .notChecked, reason: reason)
        case .found(let properties):
            let declared = properties.filter { resource.properties[$0.key] != nil }
            let differences = Comparison.differences(resource, live: properties, rules: rules)
            return ResourceDrift(resource: resource, physicalId: physicalId,
                                 status: differences.isEmpty ? .inSync : .modified,
                                 differences: differences, live: declared)
        }
    }

    /// NOT_CHECKED before any read (an unresolved ref, a failed account guard).
    public static func notChecked(
        _ resource: DesiredResource, physicalId: String? = nil, _ reason: String
    ) -> ResourceDrift {
        ResourceDrift(resource: resource, physicalId: physicalId, status: .notChecked, reason: reason)
    }

    /// The physical id when known, else the identity as written.
    public var displayId: String { physicalId ?? resource.identity.description }
}

public struct EnvironmentDrift: Sendable {
    public var name: String
    public var region: String
    public var resources: [ResourceDrift]

    public init(name: String, region: String, resources: [ResourceDrift]) {
        self.name = name
        self.region = region
        self.resources = resources
    }

    /// Whether it declares resources in more than one region: reports then name each one's region,
    /// since one name may be declared in two of them.
    public var spansRegions: Bool {
        guard let first = resources.first?.resource.region else { return false }
        return resources.contains { $0.resource.region != first }
    }
}

/// Counts per status, as the report's `summary`.
public struct DriftSummary: Sendable, Equatable {
    public var resources = 0, inSync = 0, modified = 0, deleted = 0, notChecked = 0
    /// MODIFIED resources whose every difference is held: known hand changes, not open drift.
    public var held = 0

    public init(_ drifts: [ResourceDrift]) {
        resources = drifts.count
        for drift in drifts {
            switch drift.status {
            case .inSync: inSync += 1
            case .modified: modified += 1
            case .deleted: deleted += 1
            case .notChecked: notChecked += 1
            }
            if drift.onlyHeld { held += 1 }
        }
    }

    /// Open drift: a held difference alone is not.
    public var hasDrift: Bool { modified - held + deleted > 0 }
}

/// The outcome of `ballast drift`: what every renderer reads.
public struct DriftReport: Sendable {
    public var command: String
    public var revision: String
    public var generatedAt: Date
    public var environments: [EnvironmentDrift]
    /// What the run could not learn that does not change a resource's status (a Terraform state unread).
    public var warnings: [String] = []
    /// The slice of the resources this run checked (`--shard I/N`); nil for all of them.
    public var shard: Shard?

    public init(command: String = "drift", revision: String, generatedAt: Date, environments: [EnvironmentDrift]) {
        self.command = command
        self.revision = revision
        self.generatedAt = generatedAt
        self.environments = environments
    }

    public var resources: [ResourceDrift] { environments.flatMap(\.resources) }
    public var summary: DriftSummary { DriftSummary(resources) }

    /// Spec exit codes for drift: 1 if anything went unchecked, 2 on drift, 0 in sync.
    public var exitCode: Int32 {
        let summary = summary
        if summary.notChecked > 0 { return 1 }
        return summary.hasDrift ? 2 : 0
    }
}

public enum Timestamp {
    /// `2026-11-23T07:00:00Z`; with `milliseconds`, `2026-11-23T07:00:00.250Z` (journal entries
    /// a second apart still sort in order).
    public static func iso8601(_ date: Date, milliseconds: Bool = false) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: milliseconds))
    }

    /// Reads either form back.
    public static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains(".")).parse(text)
    }
}

public extension Expectation {
    /// As the user wrote it: a value, a range operator map, or an object.
    var asValue: Value {
        switch self {
        case .exact(let value): return value
        case .range(let range): return range.asValue
        case .object(let fields): return .map(fields.mapValues(\.asValue))
        }
    }
}
