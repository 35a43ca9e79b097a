/// What reading one resource from AWS gave: its live properties in
/// CloudFormation's names and nesting, the news that it does not exist, or
/// why it could not be read.
public enum LiveRead: Sendable, Equatable {
    case found([String: Value])
    case missing
    case failed(String)
}

/// The value at a property path (`/ProvisionedThroughput/ReadCapacityUnits`)
/// of a live property map; nil when absent (a JSON null is absent too).
public func value(at path: String, in properties: [String: Value]) -> Value? {
    var current: Value = .map(properties)
    for part in PropertyPath.segments(path) {
        switch current {
        case .map(let fields):
            guard let next = fields[part] else { return nil }
            current = next
        case .list(let items):
            guard let index = Int(part), items.indices.contains(index) else { return nil }
            current = items[index]
        default:
            return nil
        }
    }
    return current == .null ? nil : current
}
