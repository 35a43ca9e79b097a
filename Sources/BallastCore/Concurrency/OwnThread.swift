#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking work (a child process, a wait for a file lock, a read from the
/// terminal) on a thread of its own. Swift's cooperative pool has one thread per
/// core; blocking one of them stalls every other task, reads and writes included.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        startThread { continuation.resume(with: Result { try body() }) }
    }
}

/// `onOwnThread` for work that cannot fail.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        startThread { continuation.resume(returning: body()) }
    }
}

/// Starts a detached thread running `body`: what Foundation's `Thread` did for ballast, without linking
/// Foundation.
public func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let work = Unmanaged.passRetained(Work(body)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { raw in
        guard let raw else { return nil }
        Unmanaged<Work>.fromOpaque(raw).takeRetainedValue().body()
        return nil
    }, work)
    guard started == 0 else {
        // No thread could be made (the process is at its limit): run here rather than never.
        Unmanaged<Work>.fromOpaque(work).takeRetainedValue().body()
        return
    }
    pthread_detach(thread)
}

/// A mutual-exclusion lock: `withLock` runs a closure holding it.
public final class Lock: @unchecked Sendable {
    fileprivate let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = pthreadObject(pthread_mutex_t()) { pthread_mutex_init($0, nil) }
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }

    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A lock with a condition to wait on: `wait()` (holding the lock) sleeps until `signal()`.
public final class Condition: @unchecked Sendable {
    private let lock = Lock()
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        condition = pthreadObject(pthread_cond_t()) { pthread_cond_init($0, nil) }
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T { try lock.withLock(body) }

    /// Called holding the lock: releases it while asleep, holds it again on waking.
    public func wait() { pthread_cond_wait(condition, lock.mutex) }

    public func signal() { pthread_cond_signal(condition) }
}

/// A pthread object at an address of its own (one must not move once made), made by `make`.
private func pthreadObject<T>(_ empty: T, _ make: (UnsafeMutablePointer<T>) -> Int32) -> UnsafeMutablePointer<T> {
    let object = UnsafeMutablePointer<T>.allocate(capacity: 1)
    object.initialize(to: empty)
    _ = make(object)
    return object
}
