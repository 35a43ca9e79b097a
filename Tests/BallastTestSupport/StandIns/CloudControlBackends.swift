import BallastAWS
import BallastCore
import Foundation

/// Calls moto's own APIs for the Cloud Control stand-in, signed with the tests' key: plain
/// sockets, since the stand-in answers on the loopback server's thread.
struct MotoCaller {
    let stand: CloudControlStandIn

    struct Failure: Error, CustomStringConvertible {
        let status: Int
        let code: String
        let body: String
        var description: String { "moto answered \(status) \(code): \(body.prefix(300))" }
    }

    /// A JSON-protocol call (`X-Amz-Target: prefix.Operation`).
    func json(_ signingName: String, _ target: String, version: String, _ input: [String: Value]) throws -> Value {
        let body = try send(signingName, body: Array(JSON.encode(.map(input)).utf8), headers: [
            ("X-Amz-Target", target), ("Content-Type", "application/x-amz-json-\(version)"),
        ])
        return body.isEmpty ? .map([:]) : try JSON.parse(body)
    }

    /// A query-protocol call; the answer's text.
    func query(_ signingName: String, _ parameters: [(String, String)]) throws -> String {
        let form = parameters.map { "\($0.0)=\(Self.formEncoded($0.1))" }.joined(separator: "&")
        let body = try send(signingName, body: Array(form.utf8), headers: [
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
        ])
        return String(decoding: body, as: UTF8.self)
    }

    func send(_ signingName: String, body: [UInt8], headers: [(String, String)]) throws -> [UInt8] {
        let host = "127.0.0.1:\(stand.motoPort)"
        var request = HTTPRequest(method: "POST", url: "http://\(host)/", headers: [("Host", host)] + headers,
                                  body: body)
        let key = stand.key.current
        SigV4Signer(credentials: Credentials(accessKeyId: key.id, secretAccessKey: key.secret), region: "us-east-1",
                    service: signingName).sign(&request, date: Date())
        var raw = "POST / HTTP/1.1\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in request.headers { raw += "\(name): \(value)\r\n" }
        let bytes = Array((raw + "\r\n").utf8) + body
        let forwarded = LoopbackHTTPServer.Request(method: "POST", path: "/", headers: [:], raw: bytes)
        guard let answer = LoopbackHTTPServer.forward(forwarded, toPort: stand.motoPort),
              let end = LoopbackHTTPServer.find(answer, Array("\r\n\r\n".utf8)) else {
            throw Failure(status: 0, code: "NoAnswer", body: "")
        }
        let head = String(decoding: answer[..<end], as: UTF8.self)
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let payload = Array(answer[(end + 4)...])
        guard (200..<300).contains(status) else {
            let text = String(decoding: payload, as: UTF8.self)
            let code = (try? JSON.parse(text))?["__type"]?.string?.split(separator: "#").last.map(String.init)
                ?? Self.element("Code", in: text) ?? "Unknown"
            throw Failure(status: status, code: code, body: text)
        }
        return payload
    }

    static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The text of every `<name>` element, in order.
    static func elements(_ name: String, in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "<\(name)>"),
              let end = rest.range(of: "</\(name)>", range: start.upperBound..<rest.endIndex) {
            found.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return found
    }

    static func element(_ name: String, in text: String) -> String? { elements(name, in: text).first }
}

/// One type's resources in moto, read and written the way its CloudFormation handler does, with
/// the property names and shapes of the type's schema.
struct Backend: Sendable {
    let read: @Sendable (MotoCaller, String) throws -> [String: Value]?
    let write: @Sendable (MotoCaller, String, _ old: [String: Value], _ new: [String: Value]) throws -> Void
    let list: @Sendable (MotoCaller) throws -> [String]

    static let all: [String: Backend] = [
        "AWS::SQS::Queue": sqs, "AWS::Kinesis::Stream": kinesis, "AWS::SNS::Topic": sns,
    ]

    static func missing(_ error: Error, _ codes: Set<String>) -> Bool {
        (error as? MotoCaller.Failure).map { codes.contains($0.code) } ?? false
    }

    /// `AWS::SQS::Queue`, by `QueueUrl`: GetQueueAttributes / SetQueueAttributes (numbers as text,
    /// `RedrivePolicy` a JSON document, an object in the schema).
    static let sqs = Backend(read: { moto, url in
        let answer: Value
        do {
            answer = try moto.json("sqs", "AmazonSQS.GetQueueAttributes", version: "1.0",
                                   ["QueueUrl": .string(url), "AttributeNames": ["All"]])
        } catch where missing(error, ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]) {
            return nil
        }
        let attributes = answer["Attributes"] ?? .map([:])
        var properties: [String: Value] = ["QueueUrl": .string(url),
                                           "QueueName": .string(String(url.split(separator: "/").last ?? ""))]
        if let arn = attributes["QueueArn"]?.string { properties["Arn"] = .string(arn) }
        for name in ["VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds",
                     "MaximumMessageSize"] {
            if let number = attributes[name]?.string.flatMap(Int.init) { properties[name] = .int(number) }
        }
        if let redrive = attributes["RedrivePolicy"]?.string, let policy = try? JSON.parse(redrive) {
            properties["RedrivePolicy"] = policy
        }
        if let sse = attributes["SqsManagedSseEnabled"]?.string {
            properties["SqsManagedSseEnabled"] = .bool(sse == "true")
        }
        return properties
    }, write: { moto, url, old, new in
        var attributes: [String: Value] = [:]
        for (name, value) in new where old[name] != value {
            switch value {
            case .int(let number): attributes[name] = .string(String(number))
            case .bool(let flag): attributes[name] = .string(flag ? "true" : "false")
            case .string(let text): attributes[name] = .string(text)
            default: attributes[name] = .string(JSON.encode(value))
            }
        }
        guard !attributes.isEmpty else { return }
        _ = try moto.json("sqs", "AmazonSQS.SetQueueAttributes", version: "1.0",
                          ["QueueUrl": .string(url), "Attributes": .map(attributes)])
    }, list: { moto in
        let listed = try moto.json("sqs", "AmazonSQS.ListQueues", version: "1.0", [:])
        return (listed["QueueUrls"]?.list ?? []).compactMap(\.string)
    })

    /// `AWS::Kinesis::Stream`, by `Name`: DescribeStreamSummary; UpdateShardCount and
    /// Increase/DecreaseStreamRetentionPeriod.
    static let kinesis = Backend(read: { moto, name in
        let summary: Value
        do {
            summary = try moto.json("kinesis", "Kinesis_20131202.DescribeStreamSummary", version: "1.1",
                                    ["StreamName": .string(name)])["StreamDescriptionSummary"] ?? .map([:])
        } catch where missing(error, ["ResourceNotFoundException"]) {
            return nil
        }
        var properties: [String: Value] = ["Name": .string(name)]
        if let arn = summary["StreamARN"] { properties["Arn"] = arn }
        if let hours = summary["RetentionPeriodHours"] { properties["RetentionPeriodHours"] = hours }
        if let shards = summary["OpenShardCount"] { properties["ShardCount"] = shards }
        if let mode = summary["StreamModeDetails"]?["StreamMode"] {
            properties["StreamModeDetails"] = ["StreamMode": mode]
        }
        return properties
    }, write: { moto, name, old, new in
        if let shards = new["ShardCount"], shards != old["ShardCount"] {
            _ = try moto.json("kinesis", "Kinesis_20131202.UpdateShardCount", version: "1.1", [
                "StreamName": .string(name), "TargetShardCount": shards, "ScalingType": "UNIFORM_SCALING",
            ])
        }
        if let hours = new["RetentionPeriodHours"]?.int, let before = old["RetentionPeriodHours"]?.int,
           hours != before {
            _ = try moto.json("kinesis", "Kinesis_20131202." + (hours > before ? "Increase" : "Decrease")
                + "StreamRetentionPeriod", version: "1.1",
                              ["StreamName": .string(name), "RetentionPeriodHours": .int(hours)])
        }
    }, list: { moto in
        // ListStreams pages (`HasMoreStreams`); each page starts after the last name.
        var names: [String] = []
        for _ in 0..<1_000 {
            var input: [String: Value] = ["Limit": 100]
            if let last = names.last { input["ExclusiveStartStreamName"] = .string(last) }
            let page = try moto.json("kinesis", "Kinesis_20131202.ListStreams", version: "1.1", input)
            names += (page["StreamNames"]?.list ?? []).compactMap(\.string)
            guard page["HasMoreStreams"] == true, !(page["StreamNames"]?.list ?? []).isEmpty else { break }
        }
        return names
    })

    /// `AWS::SNS::Topic`, by `TopicArn`: GetTopicAttributes / SetTopicAttributes (query protocol).
    static let sns = Backend(read: { moto, arn in
        let text: String
        do {
            text = try moto.query("sns", [("Action", "GetTopicAttributes"), ("Version", "2010-03-31"),
                                          ("TopicArn", arn)])
        } catch where missing(error, ["NotFound"]) {
            return nil
        }
        let keys = MotoCaller.elements("key", in: text), values = MotoCaller.elements("value", in: text)
        let attributes = Dictionary(zip(keys, values), uniquingKeysWith: { first, _ in first })
        var properties: [String: Value] = ["TopicArn": .string(arn),
                                           "TopicName": .string(String(arn.split(separator: ":").last ?? ""))]
        for name in ["DisplayName", "KmsMasterKeyId", "SignatureVersion", "TracingConfig"] {
            if let value = attributes[name], !value.isEmpty { properties[name] = .string(value) }
        }
        if let fifo = attributes["FifoTopic"] { properties["FifoTopic"] = .bool(fifo == "true") }
        return properties
    }, write: { moto, arn, old, new in
        for name in ["DisplayName", "KmsMasterKeyId", "SignatureVersion", "TracingConfig"]
        where new[name] != old[name] {
            _ = try moto.query("sns", [("Action", "SetTopicAttributes"), ("Version", "2010-03-31"), ("TopicArn", arn),
                                       ("AttributeName", name), ("AttributeValue", new[name]?.string ?? "")])
        }
    }, list: { moto in
        let listed = try moto.query("sns", [("Action", "ListTopics"), ("Version", "2010-03-31")])
        return MotoCaller.elements("TopicArn", in: listed)
    })
}
