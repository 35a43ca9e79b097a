import BallastCore

/// Typed reads of query-protocol answers: absent elements are nil, so a kind
/// leaves out what AWS did not say.
extension XMLTree {
    func string(_ name: String) -> Value? { child(name).map { .string($0.text) } }
    func int(_ name: String) -> Value? { child(name).flatMap { Int($0.text) }.map(Value.int) }
    func double(_ name: String) -> Value? { child(name).flatMap { Double($0.text) }.map(Value.double) }
    func bool(_ name: String) -> Value? { child(name).map { .bool($0.text == "true") } }

    /// The `member` items of a list element (`<AlarmActions><member>...`).
    func members(_ name: String) -> [XMLTree] { child(name)?.children ?? [] }

    /// Page answers flattened to their list items: `pages.items("AutoScalingGroups")`.
    func texts(_ name: String) -> Value { .list(members(name).map { .string($0.text) }) }
}

extension Array where Element == XMLTree {
    func items(_ list: String) -> [XMLTree] { flatMap { $0.members(list) } }
}
