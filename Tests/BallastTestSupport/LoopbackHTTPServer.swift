import BallastCore
import Foundation

/// A tiny HTTP/1.1 server on 127.0.0.1 for tests: one request per connection (or, with `keepAlive`,
/// every request a client sends on its connection), answered by a handler. Serves the ECS and IMDS
/// credential endpoints, the fault-injecting proxy in front of moto, and the client benchmark's server.
public final class LoopbackHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public let method: String
        public let path: String
        public let headers: [String: String]
        /// The request exactly as received, for forwarding.
        public let raw: [UInt8]

        public init(method: String, path: String, headers: [String: String], raw: [UInt8]) {
            self.method = method
            self.path = path
            self.headers = headers
            self.raw = raw
        }

        /// What follows the headers.
        public var body: [UInt8] {
            guard let end = LoopbackHTTPServer.find(raw, Array("\r\n\r\n".utf8)) else { return [] }
            return Array(raw[(end + 4)...])
        }
    }

    public enum Reply: Sendable {
        case response(status: Int, headers: [String: String], body: [UInt8])
        /// Raw bytes written as they are (a forwarded answer).
        case raw([UInt8])
        /// Close the connection without answering.
        case drop
    }

    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }
    private let listener: Int32
    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var stopped = false
    private var _count = 0
    private let keepAlive: Bool

    /// Requests served so far.
    public var requestCount: Int { lock.withLock { _count } }

    public init(keepAlive: Bool = false, handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        self.keepAlive = keepAlive
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = try LoopbackPort.bindLoopback(fd)
        guard listen(fd, 64) == 0 else { throw TestFailure("loopback server cannot listen") }
        listener = fd
        port = bound
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if wasRunning {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        repeat {
            guard let request = Self.readRequest(fd) else { return }
            lock.withLock { _count += 1 }
            switch handler(request) {
            case .drop:
                return
            case .raw(let bytes):
                Self.writeAll(fd, bytes)
                return
            case .response(let status, let headers, let body):
                var head =
                    "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\nContent-Length: "
                        + "\(body.count)\r\n" + (keepAlive ? "" : "Connection: close\r\n")
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                Self.writeAll(fd, Array((head + "\r\n").utf8) + body)
            }
        } while keepAlive
    }

    static func readRequest(_ fd: Int32) -> Request? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var headerEnd: Int?
        while headerEnd == nil {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return nil }
            data += buffer[0..<n]
            headerEnd = find(data, Array("\r\n\r\n".utf8))
        }
        // The head's lines split as bytes: Foundation's string searches cost more than the rest of an
        // answer (the client benchmark's keep-alive server is this one).
        var lines: [String] = [], start = 0
        for index in 0..<headerEnd! where data[index] == 13 && data[index + 1] == 10 {
            lines.append(String(decoding: data[start..<index], as: UTF8.self))
            start = index + 2
        }
        lines.append(String(decoding: data[start..<headerEnd!], as: UTF8.self))
        let parts = lines.removeFirst().split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces()
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while data.count < headerEnd! + 4 + length {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        guard parts.count >= 2 else { return nil }
        return Request(method: String(parts[0]), path: String(parts[1]), headers: headers, raw: data)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that hung up (a cancelled transfer) is an error here, not a SIGPIPE
            // that ends the whole test process.
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<i + needle.count].elementsEqual(needle) {
            return i
        }
        return nil
    }

    /// Sends a raw request to another loopback port (asking it to close after
    /// answering) and returns the raw answer: the proxy's way through to moto.
    public static func forward(_ request: Request, toPort port: Int) -> [UInt8]? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        guard LoopbackPort.connectLoopback(fd, port: port) else { return nil }
        // Rewrite the connection header so the answer ends with the connection.
        var text = String(decoding: request.raw, as: UTF8.self)
        if let range = text.range(of: "\r\n\r\n") {
            let head = text[..<range.lowerBound].components(separatedBy: "\r\n")
                .filter { !$0.lowercased().hasPrefix("connection:") }.joined(separator: "\r\n")
            text = head + "\r\nConnection: close" + text[range.lowerBound...]
        }
        writeAll(fd, Array(text.utf8))
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return answer
    }
}
