/// Every failed AWS call, whatever the protocol: service, operation, the error
/// code and message AWS sent, HTTP status and request id. Transport failures
/// after all retries have status 0 and the code `TransportError`.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    public let service: String
    public let operation: String
    public let code: String
    public let message: String
    public let status: Int
    public let requestId: String?
    /// S3's `x-amz-bucket-region`: the region a bucket is in, sent with a redirect to it.
    public let bucketRegion: String?

    public init(service: String, operation: String, code: String, message: String, status: Int, requestId: String?,
                bucketRegion: String? = nil) {
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.status = status
        self.requestId = requestId
        self.bucketRegion = bucketRegion
    }

    public var description: String {
        var text = "\(service) \(operation) failed: \(code)"
        if !message.isEmpty { text += ": \(message)" }
        var facts: [String] = []
        if status > 0 { facts.append("HTTP \(status)") }
        if let requestId, !requestId.isEmpty { facts.append("request id \(requestId)") }
        return facts.isEmpty ? text : text + " (" + facts.joined(separator: ", ") + ")"
    }
}
