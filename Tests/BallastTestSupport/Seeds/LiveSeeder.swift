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

    static let iam = AWSService(serviceId: "IAM", signingName: "iam", endpointPrefix: "iam", apiVersion: "2010-05-08", wire: .query)

    public init(client: AWSClient, account: String = "123456789012") {
        self.client = client
        self.account = account
    }

    /// Creates one resource; returns its id (KMS picks key ids itself).
    @discardableResult
    public func create(_ type: String, id: String, _ properties: [String: Value]) async throws -> String {
        switch type {
        case "AWS::AutoScaling::AutoScalingGroup": try await autoScalingGroup(id, properties)
        case "AWS::ECS::Service": try await ecsService(id, properties)
        case "AWS::DynamoDB::Table": try await dynamoDBTable(id, properties)
        case "AWS::ApplicationAutoScaling::ScalableTarget": try await scalableTarget(id, properties)
        case "AWS::Lambda::Function": try await lambdaFunction(id, properties)
        case "AWS::Logs::LogGroup": try await logGroup(id, properties)
        case "AWS::CloudWatch::Alarm": try await alarm(id, properties)
        case "AWS::SecretsManager::RotationSchedule": try await rotationSchedule(id, properties)
        case "AWS::KMS::Key": return try await kmsKey(id, properties)
        case "AWS::RDS::DBInstance": try await dbInstance(id, properties)
        case "AWS::S3::Bucket": try await bucket(id, properties)
        case "AWS::Timestream::Table": try await timestreamTable(id, properties)
        case "AWS::Events::Rule": try await eventsRule(id, properties)
        default: throw TestFailure("no seeder for \(type)")
        }
        return id
    }

    /// Desired state -> live: each resource created with its declared values
    /// (a range at its lower bound), `overrides` (by id) taking precedence.
    public func seed(_ state: DesiredState, overrides: [String: [String: Value]] = [:], skip: Set<String> = []) async throws {
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
        do { try await body() } catch let error as AWSError where error.code.contains("AlreadyExist") || error.code.hasSuffix("ExistsException") || error.code == "ResourceInUseException"
            || error.code == "ResourceConflictException" || error.code == "InvalidParameterException" && error.message.contains("exist") {
        }
    }

    /// Query-protocol list parameters: `prefix.1`, `prefix.2`, ...
    static func members(_ prefix: String, _ values: [Value]?) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (values ?? []).enumerated().map { ("\(prefix).\($0.offset + 1)", $0.element.plain) })
    }
}

extension Value {
    /// A scalar as a query parameter: `30`, `true`, `Enabled`.
    var plain: String {
        if case .string(let s) = self { return s }
        return description
    }
}
