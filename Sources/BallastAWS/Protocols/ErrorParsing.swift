import BallastCore

/// Reads the error a service sent, in its protocol's format, into `AWSError`.
enum ErrorParsing {
    static func error(from response: HTTPResponse, operation: AWSOperation) -> AWSError {
        let requestId = response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"]
        var code = "", message = ""
        var bodyRequestId: String?
        switch operation.service.wire {
        case .query, .restXML:
            if let xml = XMLNode.parse(response.body) {
                code = xml.first("Code")?.text ?? (xml.name == "Code" ? xml.text : "")
                message = xml.first("Message")?.text ?? ""
                bodyRequestId = xml.first("RequestId")?.text ?? xml.first("RequestID")?.text
            }
        case .json, .restJSON:
            let body = try? JSON.parse(response.body)
            // Code: x-amzn-ErrorType header, else __type / code in the body; drop
            // any "namespace#" prefix and ":uri" suffix.
            let raw = response.headers["x-amzn-errortype"] ?? body?["__type"]?.string ?? body?["code"]?.string
                ?? body?["Code"]?.string ?? ""
            code = String(raw.split(separator: "#").last?.split(separator: ":").first ?? "")
            message = body?["message"]?.string ?? body?["Message"]?.string ?? body?["errorMessage"]?.string ?? ""
        }
        if code.isEmpty { code = statusCode(response.status) }
        return AWSError(service: operation.service.serviceId, operation: operation.name, code: code, message: message,
                        status: response.status, requestId: requestId ?? bodyRequestId)
    }

    /// A code for bodies that carry none (HEAD requests, proxies).
    static func statusCode(_ status: Int) -> String {
        switch status {
        case 400: return "BadRequest"
        case 403: return "AccessDenied"
        case 404: return "NotFound"
        case 429: return "TooManyRequestsException"
        case 500: return "InternalFailure"
        case 502: return "BadGateway"
        case 503: return "ServiceUnavailable"
        case 504: return "GatewayTimeout"
        default: return "HTTP\(status)"
        }
    }
}
