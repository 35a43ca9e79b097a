import BallastAWS
import BallastCore
import Foundation

/// Creates live resources in moto from CloudFormation-shaped properties, the
/// way a team's infrastructure code would have: the "live" side of tests, the
/// demo and the benchmark. Every create tolerates "already exists".
public struct LiveSeeder: Sendable {
    public let client: AWSClient
    /// The account the client writes in (moto refuses a Lambda role of another account).
    public let account: String

    static let iam = AWSService(
        serviceId: "IAM", signingName: "iam", endpointPrefix: "iam", apiVersion: "2010-05-08", wire: .query)

    public init(client: AWSClient, account: String = "123456789012") {
        self.client = client
        self.account = account
    }

    typealias Creator = @Sendable (LiveSeeder, _ id: String, [String: Value]) async throws -> String

    /// How a resource of each kind is created, by CloudFormation type (the id it gets back: KMS picks
    /// key ids itself). A kind without one fails `KindCoverageTests`.
    static let creators: [String: Creator] = [
        "AWS::AutoScaling::AutoScalingGroup": { try await $0.autoScalingGroup($1, $2); return $1 },
        "AWS::ECS::Service": { try await $0.ecsService($1, $2); return $1 },
        "AWS::DynamoDB::Table": { try await $0.dynamoDBTable($1, $2); return $1 },
        "AWS::ApplicationAutoScaling::ScalableTarget": { try await $0.scalableTarget($1, $2); return $1 },
        "AWS::Lambda::Function": { try await $0.lambdaFunction($1, $2); return $1 },
        "AWS::Logs::LogGroup": { try await $0.logGroup($1, $2); return $1 },
        "AWS::CloudWatch::Alarm": { try await $0.alarm($1, $2); return $1 },
        "AWS::SecretsManager::RotationSchedule": { try await $0.rotationSchedule($1, $2); return $1 },
        "AWS::KMS::Key": { try await $0.kmsKey($1, $2) },
        "AWS::RDS::DBInstance": { try await $0.dbInstance($1, $2); return $1 },
        "AWS::S3::Bucket": { try await $0.bucket($1, $2); return $1 },
        "AWS::Timestream::Table": { try await $0.timestreamTable($1, $2); return $1 },
        "AWS::Events::Rule": { try await $0.eventsRule($1, $2); return $1 },
        "AWS::SQS::Queue": { try await $0.sqsQueue($1, $2); return $1 },
        "AWS::WAFv2::WebACL": { try await $0.wafWebACL($1, $2) },
        "AWS::ApiGateway::Stage": { try await $0.apiGatewayStage($1, $2) },
        "AWS::ApiGatewayV2::Stage": { try await $0.apiGatewayV2Stage($1, $2) },
        "AWS::Budgets::Budget": { try await $0.budget($1, $2); return $1 },
        "AWS::Lambda::Alias": { try await $0.lambdaAlias($1, $2); return $1 },
        "AWS::ElastiCache::ReplicationGroup": { try await $0.replicationGroup($1, $2); return $1 },
    ]

    /// The CloudFormation types the seeder can create.
    public static var seededTypes: Set<String> { Set(creators.keys) }

    /// Creates one resource; returns its id.
    @discardableResult
    public func create(_ type: String, id: String, _ properties: [String: Value]) async throws -> String {
        guard let create = Self.creators[type] else { throw TestFailure("no seeder for \(type)") }
        return try await create(self, id, properties)
    }

    /// Desired state -> live: each resource created with its declared values
    /// (a range at its lower bound), `overrides` (by id) taking precedence.
    public func seed(
        _ state: DesiredState, overrides: [String: [String: Value]] = [:], skip: Set<String> = []
    ) async throws {
        for resource in state.environments.flatMap(\.resources) {
            guard case .id(let id) = resource.identity, !skip.contains(id) else { continue }
            var properties = resource.properties.mapValues(Self.sample)
            // An override of null leaves the property unset (rotation never turned on).
            for (key, value) in overrides[id] ?? [:] { properties[key] = value == .null ? nil : value }
            try await create(resource.type, id: id, properties)
        }
    }

    static func sample(_ expectation: Expectation) -> Value {
        switch expectation {
        case .exact(let value): return value
        case .range(let range): return range.lower ?? range.upper ?? .null
        case .object(let fields): return .map(fields.mapValues(sample))
        }
    }

    /// Runs a create; "already exists" is success, so seeding can repeat.
    func tolerant(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let error as AWSError
            where error.code.contains("AlreadyExist") || error.code.hasSuffix("ExistsException")
            || error.code == "ResourceInUseException"
            || error.code == "ResourceConflictException"
            || error.code == "InvalidParameterException" && error.message.contains("exist") {
        }
    }

    /// Query-protocol list parameters: `prefix.1`, `prefix.2`, ...
    static func members(_ prefix: String, _ values: [Value]?) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: (values ?? []).enumerated().map { ("\(prefix).\($0.offset + 1)", $0.element.plain) })
    }
}

extension Value {
    /// A scalar as a query parameter: `30`, `true`, `Enabled`.
    var plain: String {
        if case .string(let s) = self { return s }
        return description
    }
}
