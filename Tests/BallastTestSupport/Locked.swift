import Foundation

/// A value shared between test code and the threads or tasks it starts.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public var current: Value { lock.withLock { value } }

    /// Changes the value and returns what the change returns.
    @discardableResult
    public func update<T>(_ change: (inout Value) -> T) -> T {
        lock.withLock { change(&value) }
    }
}
