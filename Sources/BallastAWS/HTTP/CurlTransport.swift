import BallastCore
import Dispatch
import FoundationEssentials

/// HTTP on libcurl: a pool of at most `maxConcurrent` easy handles, each reused
/// so its connection stays open. A request waits for a free handle, then runs
/// its blocking transfer on the handle's own thread (not a Dispatch queue: on a
/// 2-core machine Dispatch ran two blocking transfers at once and added threads
/// only slowly, so calls that could all be in flight waited for each other). The
/// pool is a ceiling, not the pace: the clients' `RequestPacer` decides how many
/// requests are in flight per service.
///
/// Why a pool of easy handles and not a multi handle: every transfer is a small
/// request/response and the pool gives the same keep-alive reuse with no event
/// loop. `ballast-bench aws` measured 0.39-0.64 ms of client CPU per request and
/// 270-460 req/s against moto, where the single-process emulator, not the
/// client, is the limit; a multi handle could not raise that.
public final class CurlTransport: HTTPTransport, @unchecked Sendable {
    public let maxConcurrent: Int
    public let connectTimeoutMs: Int
    public let totalTimeoutMs: Int
    /// The largest answer read: what a hostile or broken server can make ballast hold in memory.
    public let maxResponseBytes: Int

    private let lock = Lock()
    private var idle: [CurlEasyHandle] = []
    private var created = 0
    private var waiters: [CheckedContinuation<CurlEasyHandle, Never>] = []

    /// Handles (connections, threads) a transport holds at most unless told otherwise.
    public static let defaultPoolSize = 64

    public init(maxConcurrent: Int = defaultPoolSize, connectTimeoutMs: Int = 3_000, totalTimeoutMs: Int = 30_000,
                maxResponseBytes: Int = 256 << 20) {
        self.maxConcurrent = max(1, maxConcurrent)
        self.maxResponseBytes = maxResponseBytes
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let handle = try await acquire()
        defer { release(handle) }
        await request.whenSending?()
        let (connect, total, most) = (connectTimeoutMs, totalTimeoutMs, maxResponseBytes)
        let cancellation = TransferCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                handle.worker.run {
                    do throws(TransportError) {
                        let response = try handle.perform(request, connectTimeoutMs: connect, totalTimeoutMs: total,
                                                           maxResponseBytes: most, cancellation: cancellation)
                        continuation.resume(returning: response)
                    } catch where error.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// A pooled handle; an error (not a wait that never ends) when libcurl cannot make even one.
    private func acquire() async throws -> CurlEasyHandle {
        if let handle = takeOrCreate() { return handle }
        if lock.withLock({ created == 0 }) {
            throw TransportError("libcurl could not start a transfer (curl_easy_init failed)")
        }
        return await withCheckedContinuation { continuation in
            lock.withLock {
                if let handle = idle.popLast() {
                    continuation.resume(returning: handle)
                } else {
                    waiters.append(continuation)
                }
            }
        }
    }

    private func takeOrCreate() -> CurlEasyHandle? {
        lock.withLock {
            if let handle = idle.popLast() { return handle }
            guard created < maxConcurrent, let handle = CurlEasyHandle() else { return nil }
            created += 1
            return handle
        }
    }

    private func release(_ handle: CurlEasyHandle) {
        let next: CheckedContinuation<CurlEasyHandle, Never>? = lock.withLock {
            if waiters.isEmpty {
                idle.append(handle)
                return nil
            }
            return waiters.removeFirst()
        }
        next?.resume(returning: handle)
    }
}

