import BallastCore
import Foundation

/// The wire shapes the stand-ins answer in, one place for each: the JSON protocol's answers and
/// errors (`__type`, `Message`, as botocore reads them), the query protocol's `ErrorResponse`, its
/// form bodies, and XML text escaping.
public enum AWSWire {
    /// A JSON-protocol answer: `application/x-amz-json-VERSION` (1.0 or 1.1, the service's model says).
    static func json(_ version: String, _ answer: [String: Value], status: Int = 200) -> LoopbackHTTPServer.Reply {
        .response(status: status, headers: ["Content-Type": "application/x-amz-json-\(version)",
                                            "x-amzn-RequestId": UUID().uuidString],
                  body: Array(JSON.encode(.map(answer)).utf8))
    }

    /// A JSON-protocol error: the code in `__type` and `x-amzn-ErrorType`.
    static func jsonError(_ version: String, _ code: String, _ message: String,
                          status: Int = 400) -> LoopbackHTTPServer.Reply {
        .response(status: status, headers: ["Content-Type": "application/x-amz-json-\(version)",
                                            "x-amzn-ErrorType": code, "x-amzn-RequestId": UUID().uuidString],
                  body: Array(JSON.encode(["__type": .string(code), "Message": .string(message)]).utf8))
    }

    /// The query protocol's error document in a service's namespace.
    static func queryError(_ namespace: String, _ status: Int, _ code: String,
                           _ message: String) -> LoopbackHTTPServer.Reply {
        let body = "<ErrorResponse xmlns=\"\(namespace)\"><Error><Type>Sender</Type><Code>\(escaped(code))</Code>"
            + "<Message>\(escaped(message))</Message></Error><RequestId>\(UUID().uuidString)</RequestId>"
            + "</ErrorResponse>"
        return .response(status: status, headers: ["Content-Type": "text/xml"], body: Array(body.utf8))
    }

    /// A query-protocol request's form body, decoded.
    public static func form(_ body: [UInt8]) -> [String: String] {
        var form: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            form[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return form
    }

    /// Text inside an XML element.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
