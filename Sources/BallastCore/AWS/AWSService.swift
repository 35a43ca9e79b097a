/// How a service speaks on the wire (botocore's `metadata.protocol`).
public enum WireProtocol: Sendable, Hashable {
    case query
    case json(version: String, targetPrefix: String)
    case restJSON
    case restXML
}

/// What the client needs to know about a service; values from botocore's models.
public struct AWSService: Sendable, Hashable {
    /// The SDK service id, which names `AWS_ENDPOINT_URL_<SERVICE>`.
    public let serviceId: String
    public let signingName: String
    public let endpointPrefix: String
    public let apiVersion: String
    public let wire: WireProtocol
    /// `CloudWatch Logs` -> `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`: made once, read on every request.
    public let endpointVariable: String
    /// A global service's one endpoint in the `aws` partition (`budgets.amazonaws.com`, botocore's
    /// `endpoints.json` "aws-global"), signed for us-east-1; nil for a regional service.
    public let globalHost: String?

    public init(serviceId: String, signingName: String, endpointPrefix: String, apiVersion: String, wire: WireProtocol,
                globalHost: String? = nil) {
        self.serviceId = serviceId
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.apiVersion = apiVersion
        self.wire = wire
        self.globalHost = globalHost
        endpointVariable = "AWS_ENDPOINT_URL_" + String(serviceId.uppercased().map { $0 == " " ? "_" : $0 })
    }

    /// IAM's name for the service (`cloudwatch` signs as `monitoring`): what policies and rates say.
    public var iamPrefix: String { signingName == "monitoring" ? "cloudwatch" : signingName }

    public static let sts = AWSService(
        serviceId: "STS", signingName: "sts", endpointPrefix: "sts",
        apiVersion: "2011-06-15", wire: .query)
    public static let logs = AWSService(
        serviceId: "CloudWatch Logs", signingName: "logs", endpointPrefix: "logs",
        apiVersion: "2014-03-28", wire: .json(version: "1.1", targetPrefix: "Logs_20140328"))
    public static let dynamodb = AWSService(
        serviceId: "DynamoDB", signingName: "dynamodb", endpointPrefix: "dynamodb",
        apiVersion: "2012-08-10", wire: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))
    public static let lambda = AWSService(
        serviceId: "Lambda", signingName: "lambda", endpointPrefix: "lambda",
        apiVersion: "2015-03-31", wire: .restJSON)
    public static let s3 = AWSService(
        serviceId: "S3", signingName: "s3", endpointPrefix: "s3",
        apiVersion: "2006-03-01", wire: .restXML)
    public static let autoScaling = AWSService(
        serviceId: "Auto Scaling", signingName: "autoscaling", endpointPrefix: "autoscaling",
        apiVersion: "2011-01-01", wire: .query)
    public static let ecs = AWSService(
        serviceId: "ECS", signingName: "ecs", endpointPrefix: "ecs", apiVersion: "2014-11-13",
        wire: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113"))
    public static let applicationAutoScaling = AWSService(
        serviceId: "Application Auto Scaling", signingName: "application-autoscaling",
        endpointPrefix: "application-autoscaling",
        apiVersion: "2016-02-06", wire: .json(version: "1.1", targetPrefix: "AnyScaleFrontendService"))
    public static let cloudWatch = AWSService(
        serviceId: "CloudWatch", signingName: "monitoring", endpointPrefix: "monitoring",
        apiVersion: "2010-08-01", wire: .query)
    public static let secretsManager = AWSService(
        serviceId: "Secrets Manager", signingName: "secretsmanager",
        endpointPrefix: "secretsmanager", apiVersion: "2017-10-17",
        wire: .json(version: "1.1", targetPrefix: "secretsmanager"))
    public static let kms = AWSService(
        serviceId: "KMS", signingName: "kms", endpointPrefix: "kms", apiVersion: "2014-11-01",
        wire: .json(version: "1.1", targetPrefix: "TrentService"))
    public static let rds = AWSService(
        serviceId: "RDS", signingName: "rds", endpointPrefix: "rds", apiVersion: "2014-10-31", wire: .query)
    public static let timestreamWrite = AWSService(
        serviceId: "Timestream Write", signingName: "timestream",
        endpointPrefix: "ingest.timestream", apiVersion: "2018-11-01",
        wire: .json(version: "1.0", targetPrefix: "Timestream_20181101"))
    public static let events = AWSService(
        serviceId: "EventBridge", signingName: "events", endpointPrefix: "events",
        apiVersion: "2015-10-07", wire: .json(version: "1.1", targetPrefix: "AWSEvents"))
    public static let sqs = AWSService(
        serviceId: "SQS", signingName: "sqs", endpointPrefix: "sqs",
        apiVersion: "2012-11-05", wire: .json(version: "1.0", targetPrefix: "AmazonSQS"))
    public static let wafv2 = AWSService(
        serviceId: "WAFV2", signingName: "wafv2", endpointPrefix: "wafv2",
        apiVersion: "2019-07-29",
        wire: .json(version: "1.1", targetPrefix: "AWSWAF_20190729"))
    public static let apiGateway = AWSService(
        serviceId: "API Gateway", signingName: "apigateway",
        endpointPrefix: "apigateway", apiVersion: "2015-07-09", wire: .restJSON)
    /// HTTP and WebSocket APIs: signed, paced and authorized as API Gateway, endpoint variable its own.
    public static let apiGatewayV2 = AWSService(
        serviceId: "ApiGatewayV2", signingName: "apigateway",
        endpointPrefix: "apigateway", apiVersion: "2018-11-29", wire: .restJSON)
    public static let elastiCache = AWSService(
        serviceId: "ElastiCache", signingName: "elasticache",
        endpointPrefix: "elasticache", apiVersion: "2015-02-02", wire: .query)
    public static let budgets = AWSService(
        serviceId: "Budgets", signingName: "budgets", endpointPrefix: "budgets",
        apiVersion: "2016-10-20",
        wire: .json(version: "1.1", targetPrefix: "AWSBudgetServiceGateway"),
        globalHost: "budgets.amazonaws.com")
    /// Cloud Control: signed as `cloudcontrolapi`; IAM authorizes its actions as `cloudformation:`.
    public static let cloudControl = AWSService(serviceId: "CloudControl", signingName: "cloudcontrolapi",
                                                endpointPrefix: "cloudcontrolapi", apiVersion: "2021-09-30",
                                                wire: .json(version: "1.0", targetPrefix: "CloudApiService"))
    public static let cloudTrail = AWSService(
        serviceId: "CloudTrail", signingName: "cloudtrail", endpointPrefix: "cloudtrail", apiVersion: "2013-11-01",
        wire: .json(version: "1.1", targetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101"))
    public static let cloudFormation = AWSService(
        serviceId: "CloudFormation", signingName: "cloudformation",
        endpointPrefix: "cloudformation", apiVersion: "2010-05-15", wire: .query)

    /// Every service ballast calls, for finding one by its id.
    public static let all: [AWSService] = [
        .sts, .logs, .dynamodb, .lambda, .s3, .autoScaling, .ecs, .applicationAutoScaling, .cloudWatch,
        .secretsManager,
        .kms, .rds, .timestreamWrite, .events, .sqs, .wafv2, .apiGateway, .apiGatewayV2, .elastiCache, .budgets,
        .cloudControl, .cloudTrail, .cloudFormation,
    ]
}
