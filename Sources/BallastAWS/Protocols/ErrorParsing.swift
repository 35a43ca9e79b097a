import BallastCore

/// Reads the error a service sent, in its protocol's format, into `AWSError`.
enum ErrorParsing {
    static func error(from response: HTTPResponse, operation: AWSOperation) -> AWSError {
        let requestId = response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"]
        var code = "", message = ""
        var bodyRequestId: String?
        switch operation.service.wire {
        case .query, .restXML:
            if let xml = XMLTree.parse(response.body) {
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
        // Something in between (a gateway, an emulator) may answer a JSON service in XML.
        if code.isEmpty, let xml = XMLTree.parse(response.body), let found = xml.first("Code")?.text {
            code = found
            message = xml.first("Message")?.text ?? message
        }
        if code.isEmpty { code = statusCode(response.status) }
        if let hint = hints[code] { message += (message.isEmpty ? "" : "; ") + hint }
        return AWSError(service: operation.service.serviceId, operation: operation.name, code: code, message: message,
                        status: response.status, requestId: requestId ?? bodyRequestId,
                        bucketRegion: response.headers["x-amz-bucket-region"])
    }

    /// What to check for errors whose cause is on the caller's side, not in IAM.
    static let hints: [String: String] = [
        "SignatureDoesNotMatch": signatureHint, "InvalidSignatureException": signatureHint,
        "InvalidClientTokenId": "check that the access key id exists and is active (and AWS_SESSION_TOKEN is set for "
            + "temporary credentials)",
        "UnrecognizedClientException": "check that the access key id exists and is active",
    ]
    static let signatureHint =
        "check that AWS_SECRET_ACCESS_KEY (or the profile's secret key) belongs to the access key id; "
        + "this is not an IAM permission problem"

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
