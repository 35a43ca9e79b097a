import BallastCore
import CCurl
import FoundationEssentials
import CCurlShim

/// One libcurl easy handle, reused across requests so its connection stays
/// alive (keep-alive per host). Owns the handle, the header list of the
/// current transfer and the response buffer; frees them in `deinit`.
/// Unchecked Sendable: the transport's pool lends it to one transfer at a time.
final class CurlEasyHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    /// curl does not copy header lists: it must live until the transfer ends.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let sink = ResponseSink()
    /// The thread this handle's transfers run on.
    let worker = TransferThread()

    static let globalInit: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()

    init?() {
        guard Self.globalInit, let h = curl_easy_init() else { return nil }
        handle = h
    }

    deinit {
        worker.stop()
        curl_slist_free_all(headerList)
        curl_easy_cleanup(handle)
    }

    /// Runs one transfer to completion on the calling thread, or until `cancellation` is set (libcurl asks
    /// at least once a second, waiting included: a 20-second long poll stops within a second).
    func perform(_ request: HTTPRequest, connectTimeoutMs: Int, totalTimeoutMs: Int, maxResponseBytes: Int,
                 cancellation: TransferCancellation) throws(TransportError) -> HTTPResponse {
        curl_easy_reset(handle)  // options only: live connections and caches stay
        curl_slist_free_all(headerList)
        headerList = nil
        sink.reset(maxBody: maxResponseBytes, cancellation: cancellation)

        try set(CURLOPT_URL, ballast_curl_setopt_string(handle, CURLOPT_URL, request.url))
        // What is sent is what was signed, byte for byte: libcurl would otherwise remove `.` and `..`
        // segments (RFC 3986 dot-segment removal) from a path whose signature covers them as written.
        try set(CURLOPT_PATH_AS_IS, ballast_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1))
        // http and https only, for the request and any redirect: never file://, gopher://, ...
        try allowHTTPOnly(CURLOPT_PROTOCOLS_STR, orBitmask: Self.protocolsBitmask)
        try allowHTTPOnly(CURLOPT_REDIR_PROTOCOLS_STR, orBitmask: Self.redirectProtocolsBitmask)
        try set(CURLOPT_NOSIGNAL, ballast_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))  // threads + timeouts
        try set(
            CURLOPT_CONNECTTIMEOUT_MS, ballast_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMs))
        try set(CURLOPT_TIMEOUT_MS, ballast_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, totalTimeoutMs))
        try set(CURLOPT_TCP_KEEPALIVE, ballast_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        switch request.method {
        case "GET": try set(CURLOPT_HTTPGET, ballast_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "HEAD": try set(CURLOPT_NOBODY, ballast_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        default:
            try set(CURLOPT_CUSTOMREQUEST, ballast_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            // COPYPOSTFIELDS: curl keeps its own copy; the Swift buffer may go away.
            try set(CURLOPT_POSTFIELDSIZE_LARGE,
                    ballast_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            let copied = request.body.withUnsafeBufferPointer { body in
                ballast_curl_setopt_pointer(
                    handle, CURLOPT_COPYPOSTFIELDS,
                    UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
            try set(CURLOPT_COPYPOSTFIELDS, copied)
        }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        headerList = curl_slist_append(headerList, "Expect:")  // no 100-continue round trip
        try set(
            CURLOPT_HTTPHEADER,
            ballast_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList)))

        let context = Unmanaged.passUnretained(sink).toOpaque()
        try set(
            CURLOPT_WRITEFUNCTION,
            ballast_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
                // Past the bound, returning short makes libcurl stop the transfer (CURLE_WRITE_ERROR).
                guard sink.body.count + size * count <= sink.maxBody else {
                    sink.tooLarge = true
                    return 0
                }
                sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            })
        try set(CURLOPT_WRITEDATA, ballast_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context))
        try set(
            CURLOPT_HEADERFUNCTION,
            ballast_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
                sink.headerLine(UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            })
        try set(CURLOPT_HEADERDATA, ballast_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context))
        try set(CURLOPT_NOPROGRESS, ballast_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        try set(
            CURLOPT_XFERINFOFUNCTION,
            ballast_curl_setopt_progress(handle, CURLOPT_XFERINFOFUNCTION) { context, _, _, _, _ in
                // Non-zero stops the transfer (CURLE_ABORTED_BY_CALLBACK).
                Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue().cancellation?.isSet == true ? 1 : 0
            })
        try set(CURLOPT_XFERINFODATA, ballast_curl_setopt_pointer(handle, CURLOPT_XFERINFODATA, context))

        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            if code == CURLE_ABORTED_BY_CALLBACK {
                throw TransportError("\(request.method) \(request.hostHeader ?? request.url): cancelled",
                                     isCancelled: true)
            }
            if sink.tooLarge {
                throw TransportError("\(request.method) \(request.hostHeader ?? request.url): the answer is over "
                    + "\(sink.maxBody) bytes; not read")
            }
            let message = String(cString: curl_easy_strerror(code))
            throw TransportError("\(request.method) \(request.hostHeader ?? request.url): \(message)",
                                 isTimeout: code == CURLE_OPERATION_TIMEDOUT)
        }
        var status = 0
        _ = ballast_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// `CURLOPT_PROTOCOLS` and `CURLOPT_REDIR_PROTOCOLS` (curl.h: long options 181 and 182), the bitmask
    /// forms libcurl before 7.85 knows (Ubuntu 22.04 has 7.81); named by number, as the header marks them
    /// deprecated in favour of the `_STR` forms.
    static let protocolsBitmask = CURLoption(rawValue: 181), redirectProtocolsBitmask = CURLoption(rawValue: 182)
    /// `CURLPROTO_HTTP | CURLPROTO_HTTPS` (curl.h: `1<<0`, `1<<1`).
    static let httpAndHTTPS = 3

    /// Allows http and https only, by the `_STR` option, or by its bitmask form when this libcurl is older
    /// than the `_STR` options (it answers `CURLE_UNKNOWN_OPTION`).
    func allowHTTPOnly(_ option: CURLoption, orBitmask bitmask: CURLoption) throws(TransportError) {
        let code = ballast_curl_setopt_string(handle, option, "http,https")
        guard code == CURLE_UNKNOWN_OPTION else { return try set(option, code) }
        try set(bitmask, ballast_curl_setopt_long(handle, bitmask, Self.httpAndHTTPS))
    }

    /// A refused option is an error naming it (one this libcurl lacks, say), never a
    /// transfer made without it.
    func set(_ option: CURLoption, _ code: CURLcode) throws(TransportError) {
        guard code == CURLE_OK else {
            throw TransportError(
                "libcurl refused option \(option.rawValue): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// Collects what curl's callbacks deliver for one transfer.
private final class ResponseSink {
    /// The bound on an answer (`CurlTransport.maxResponseBytes`).
    var maxBody = Int.max
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var tooLarge = false
    var cancellation: TransferCancellation?

    func reset(maxBody: Int, cancellation: TransferCancellation) {
        self.maxBody = maxBody
        self.cancellation = cancellation
        body = []
        headers = [:]
        tooLarge = false
    }

    /// One header line as curl hands it (with its CRLF): bytes in, no Foundation on the way
    /// (`ballast-bench aws` profiled the String trimming at a fifth of the client's own CPU).
    func headerLine(_ line: UnsafeRawBufferPointer) {
        if line.starts(with: "HTTP/".utf8) {
            headers = [:]  // a new response (after 100 Continue or a redirect)
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        var start = colon + 1, end = line.count
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        let name = String(decoding: line[..<colon].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
        headers[name] = String(decoding: line[start..<end], as: UTF8.self)
    }
}

/// One thread that runs blocking jobs one after another, for one easy handle: a transfer
/// blocks its thread for the whole round trip, so each handle has a thread of its own.
final class TransferThread: @unchecked Sendable {
    private let condition = Condition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false

    init() {
        startThread { [self] in loop() }
    }

    func run(_ job: @escaping @Sendable () -> Void) {
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    func stop() {
        condition.withLock {
            stopped = true
            condition.signal()
        }
    }

    private func loop() {
        while true {
            let next: (@Sendable () -> Void)? = condition.withLock {
                while jobs.isEmpty && !stopped { condition.wait() }
                return jobs.isEmpty ? nil : jobs.removeFirst()
            }
            guard let job = next else { return }
            job()
        }
    }
}

/// Set when the task awaiting a transfer is cancelled (a watch stopping in the middle of a long poll);
/// the transfer's thread reads it.
final class TransferCancellation: @unchecked Sendable {
    private let lock = Lock()
    private var set = false

    var isSet: Bool { lock.withLock { set } }
    func cancel() { lock.withLock { set = true } }
}
