/// One resource to read: its physical id and the top-level properties the
/// desired state declares (a kind skips calls for properties nobody declared).
public struct LiveTarget: Sendable, Hashable {
    public let id: String
    public let declared: Set<String>

    public init(id: String, declared: Set<String>) {
        self.id = id
        self.declared = declared
    }

    public func wants(_ properties: String...) -> Bool {
        properties.contains(where: declared.contains)
    }
}
