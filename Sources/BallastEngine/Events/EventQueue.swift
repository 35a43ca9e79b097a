import BallastCore
import FoundationEssentials

/// One message of the queue `watch --events` reads: its body (the EventBridge event), and the handle
/// it is deleted by once handled.
public struct QueueMessage: Sendable, Equatable {
    public var id: String
    public var receiptHandle: String
    public var body: String

    public init(id: String, receiptHandle: String, body: String) {
        self.id = id
        self.receiptHandle = receiptHandle
        self.body = body
    }
}

/// The SQS queue `ballast events template` makes, through the AWS port: a long poll for at most ten
/// messages, and the removal of those handled. A message not removed comes back after the queue's
/// visibility timeout, and after `maxReceiveCount` receipts goes to the dead-letter queue.
public struct EventQueue: Sendable {
    public let url: String
    let client: any AWSAPI

    /// SQS's longest wait and largest batch (the Amazon SQS API Reference, ReceiveMessage:
    /// `WaitTimeSeconds` 0 to 20, `MaxNumberOfMessages` 1 to 10); DeleteMessageBatch takes ten entries.
    public static let waitSeconds = 20
    public static let batch = 10

    public init(url: String, client: any AWSAPI) {
        self.url = url
        self.client = client
    }

    /// A queue as its URL names it: `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` (or an emulator's
    /// `http://HOST:PORT/ACCOUNT/NAME`), with the region when the host names one.
    public struct Address: Sendable, Equatable {
        public let url: String
        public let region: String?
        public let account: String
        public let name: String

        /// `arn:aws:sqs:REGION:ACCOUNT:NAME` (`*` for a region the URL does not name).
        public var arn: String { "arn:aws:sqs:\(region ?? "*"):\(account):\(name)" }
    }

    /// nil unless it is such a URL: an account of 12 digits, a queue name of 1 to 80 letters, digits,
    /// hyphens and underscores (`.fifo` allowed), at most 1,024 characters, no query or fragment.
    public static func parse(_ text: String) -> Address? {
        guard text.utf8.count <= 1_024, let url = URL(string: text), let scheme = url.scheme,
              ["https", "http"].contains(scheme), let host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil else { return nil }
        let parts = url.path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, parts[1].count == 12, parts[1].allSatisfy(\.isNumber),
              (1...80).contains(parts[2].count),
              parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            return nil
        }
        let labels = host.split(separator: ".")
        let region = labels.count >= 4 && labels[0] == "sqs" ? String(labels[1]) : nil
        return Address(url: text, region: region, account: String(parts[1]), name: String(parts[2]))
    }

    /// Up to ten messages, waiting up to `wait` seconds (at most twenty) for the first. Each body is kept
    /// only up to `ChangeEvent.maxMessageBytes` (one byte past, so a longer one is refused as too large).
    public func receive(wait: Int = waitSeconds) async throws -> [QueueMessage] {
        let answer = try await client.json(.receiveMessage, [
            "QueueUrl": .string(url), "MaxNumberOfMessages": .int(Self.batch),
            "WaitTimeSeconds": .int(min(max(wait, 0), Self.waitSeconds)),
        ])
        return (answer["Messages"]?.list ?? []).prefix(Self.batch).compactMap { message in
            guard let id = message["MessageId"]?.string, let handle = message["ReceiptHandle"]?.string,
                  handle.utf8.count <= 8_192 else { return nil }
            let body = message["Body"]?.string ?? ""
            return QueueMessage(id: UntrustedText.capped(id, limit: 128), receiptHandle: handle,
                                body: String(decoding: body.utf8.prefix(ChangeEvent.maxMessageBytes + 1),
                                             as: UTF8.self))
        }
    }

    /// Removes handled messages, one `DeleteMessage` each (IAM grants the batch form by the same
    /// action, `sqs:DeleteMessage`; one call each keeps a refusal to the message it is about). Says
    /// which could not be removed, and why: they come back after the visibility timeout.
    public func delete(_ messages: [QueueMessage]) async -> [(id: String, reason: String)] {
        var failed: [(id: String, reason: String)] = []
        for message in messages {
            do {
                _ = try await client.json(.deleteMessage, ["QueueUrl": .string(url),
                                                           "ReceiptHandle": .string(message.receiptHandle)])
            } catch {
                failed.append((message.id, UntrustedText.line(String("\(error)".prefix(300)))))
            }
        }
        return failed
    }
}
