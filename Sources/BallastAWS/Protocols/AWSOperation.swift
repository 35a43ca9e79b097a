import BallastCrypto
import BallastCore
import FoundationEssentials

/// One API call, encoded for its service's wire protocol and ready to sign.
public struct AWSOperation: Sendable {
    public let service: AWSService
    public let name: String
    public var method: String
    /// Percent-encoded path, starting with `/`.
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// AssumeRoleWithWebIdentity is called without credentials.
    public var unsigned = false
    /// An endpoint the service assigned (Timestream's discovery) instead of the resolved one.
    public var endpoint: String?

    init(service: AWSService, name: String, method: String = "POST", path: String = "/",
         query: [(String, String)] = [], headers: [(String, String)] = [], body: [UInt8] = []) {
        self.service = service
        self.name = name
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// `query` protocol: a form body with Action and Version (STS, Auto Scaling, CloudWatch, RDS, CloudFormation).
    public static func query(
        _ service: AWSService, _ action: String, _ parameters: [String: String] = [:]
    ) -> AWSOperation {
        let pairs = [("Action", action), ("Version", service.apiVersion)] + parameters.sorted { $0.key < $1.key }
        return AWSOperation(service: service, name: action,
                            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                            body: Array(PercentEncoding.formBody(pairs).utf8))
    }

    /// `json` 1.0/1.1: POST / with `X-Amz-Target` (Logs, DynamoDB, ECS, KMS, ...).
    public static func json(_ service: AWSService, _ operation: String, _ input: Value = .map([:])) -> AWSOperation {
        guard case .json(let version, let prefix) = service.wire else {
            preconditionFailure("\(service.serviceId) does not speak the json protocol")
        }
        return AWSOperation(service: service, name: operation,
                            headers: [("Content-Type", "application/x-amz-json-\(version)"),
                                      ("X-Amz-Target", "\(prefix).\(operation)")],
                            body: Array(JSON.encode(input).utf8))
    }

    /// `rest-json` and `rest-xml`: the operation lives in method and path.
    /// `segments` are raw path segments; each is percent-encoded here.
    public static func rest(
        _ service: AWSService, _ operation: String, method: String, segments: [String],
        query: [(String, String)] = [], jsonBody: Value? = nil, xmlBody: String? = nil
    ) -> AWSOperation {
        var op = AWSOperation(
            service: service, name: operation, method: method,
            path: "/" + segments.map { PercentEncoding.encode($0) }.joined(separator: "/"), query: query)
        if let jsonBody {
            op.headers.append(("Content-Type", "application/json"))
            op.body = Array(JSON.encode(jsonBody).utf8)
        } else if let xmlBody {
            op.headers.append(("Content-Type", "application/xml"))
            op.body = Array(xmlBody.utf8)
        }
        return op
    }

    /// Operations whose botocore model says `requestChecksumRequired`: S3 refuses them
    /// without a body checksum.
    static let checksumRequired: Set<String> = ["PutBucketVersioning", "PutBucketLifecycleConfiguration"]

    /// `rest-xml` with an XML body, and the body's SHA-256 where the operation requires a checksum.
    public static func restXML(_ service: AWSService, _ operation: String, method: String, segments: [String],
                               query: [(String, String)] = [], body: String?) -> AWSOperation {
        var call = rest(service, operation, method: method, segments: segments, query: query, xmlBody: body)
        if checksumRequired.contains(operation) {
            call.headers.append(("x-amz-sdk-checksum-algorithm", "SHA256"))
            call.headers.append(("x-amz-checksum-sha256", Data(Digest.sha256(call.body)).base64EncodedString()))
        }
        return call
    }

    /// The request, before signing (the in-memory AWS of the tests records this wire form too).
    public func request(endpoint: String) -> HTTPRequest {
        var url = endpoint + path
        if !query.isEmpty { url += "?" + PercentEncoding.form(query) }
        return HTTPRequest(method: method, url: url, headers: headers, body: body)
    }
}
