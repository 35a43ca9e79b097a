/// How a kind's values compare beyond plain equality. Each rule is there to
/// avoid false drift; kinds name the paths they apply to.
public struct ComparisonRules: Sendable {
    /// Lists whose order AWS does not keep (alarm actions): compared as sets.
    public var unordered: Set<String>

    public init(unordered: Set<String> = []) {
        self.unordered = unordered
    }

    public static let plain = ComparisonRules()
}

/// How a property differs, in CloudFormation drift detection's terms.
public enum DifferenceType: String, Sendable {
    case notEqual = "NOT_EQUAL"
    /// Live has it, desired does not (an extra list item or map key).
    case add = "ADD"
    /// Desired has it, live does not.
    case remove = "REMOVE"
}

public struct PropertyDifference: Sendable, Equatable {
    public var path: String
    /// What the repository says: a value, or a range written as the user wrote it.
    public var expected: Value?
    public var actual: Value?
    public var type: DifferenceType
    /// The hold that keeps this live value for now (`ballast hold`): shown, never written.
    public var held: HoldMark?

    public init(path: String, expected: Value?, actual: Value?, type: DifferenceType) {
        self.path = path
        self.expected = expected
        self.actual = actual
        self.type = type
    }
}

/// Desired vs live, declared properties only.
public enum Comparison {
    public static func differences(_ resource: DesiredResource, live: [String: Value],
                                   rules: ComparisonRules = .plain) -> [PropertyDifference] {
        resource.leaves.flatMap { leaf -> [PropertyDifference] in
            let actual = value(at: leaf.path, in: live)
            switch leaf.expectation {
            case .exact(.null):
                // Must be unset: in sync when AWS has no value, NOT_EQUAL with the value it has.
                return actual.map {
                    [PropertyDifference(path: leaf.path, expected: .null, actual: $0, type: .notEqual)]
                }
                    ?? []
            case .exact(let expected):
                guard let actual else {
                    return [PropertyDifference(path: leaf.path, expected: expected, actual: nil, type: .remove)]
                }
                return compare(expected, actual, at: leaf.path, rules)
            case .range(let range):
                // In sync anywhere inside the range.
                guard let actual, range.contains(actual) else {
                    return [PropertyDifference(path: leaf.path, expected: range.asValue, actual: actual,
                                               type: actual == nil ? .remove : .notEqual)]
                }
                return []
            case .object:
                return [] // leaves never are objects
            }
        }
    }

    static func compare(
        _ expected: Value, _ actual: Value, at path: String, _ rules: ComparisonRules
    ) -> [PropertyDifference] {
        switch (expected, actual) {
        case (.list(let want), .list(let have)) where rules.unordered.contains(path):
            return setDifferences(want, have, at: path)
        case (.list(let want), .list(let have)):
            // Item by item, so a changed lifecycle rule names its field.
            var found: [PropertyDifference] = []
            for index in 0..<max(want.count, have.count) {
                let itemPath = PropertyPath.appending(path, index: index)
                switch (index < want.count ? want[index] : nil, index < have.count ? have[index] : nil) {
                case (let w?, let h?): found += compare(w, h, at: itemPath, rules)
                case (let w?, nil):
                    found.append(PropertyDifference(path: itemPath, expected: w, actual: nil, type: .remove))
                case (nil, let h?):
                    found.append(PropertyDifference(path: itemPath, expected: nil, actual: h, type: .add))
                case (nil, nil): break
                }
            }
            return found
        case (.map(let want), .map(let have)):
            return Set(want.keys).union(have.keys).sorted().flatMap { key -> [PropertyDifference] in
                let keyPath = PropertyPath.appending(path, key)
                switch (want[key], have[key]) {
                case let (w?, h?): return compare(w, h, at: keyPath, rules)
                case let (w?, nil): return [PropertyDifference(path: keyPath, expected: w, actual: nil, type: .remove)]
                case let (nil, h?): return [PropertyDifference(path: keyPath, expected: nil, actual: h, type: .add)]
                case (nil, nil): return []
                }
            }
        default:
            // Numbers compare by value (80 == 80.0): `Value` equality does that.
            return expected == actual
                ? [] : [PropertyDifference(path: path, expected: expected, actual: actual, type: .notEqual)]
        }
    }

    /// Items missing from live are REMOVE at their desired index; extra live
    /// items are ADD at their live index (CloudFormation's list paths).
    static func setDifferences(_ want: [Value], _ have: [Value], at path: String) -> [PropertyDifference] {
        let wantSet = Set(want), haveSet = Set(have)
        let removed = want.enumerated().filter { !haveSet.contains($0.element) }
            .map {
                PropertyDifference(
                    path: PropertyPath.appending(path, index: $0.offset), expected: $0.element, actual: nil,
                    type: .remove)
            }
        let added = have.enumerated().filter { !wantSet.contains($0.element) }
            .map {
                PropertyDifference(
                    path: PropertyPath.appending(path, index: $0.offset), expected: nil, actual: $0.element, type: .add
                )
            }
        return removed + added
    }
}

public extension ValueRange {
    /// The range as the user wrote it: `{"within": [2, 10]}`, `{"atLeast": 30}`.
    var asValue: Value {
        switch (lower, upper) {
        case let (lo?, hi?): return .map(["within": .list([lo, hi])])
        case let (lo?, nil): return .map(["atLeast": lo])
        case let (nil, hi?): return .map(["atMost": hi])
        case (nil, nil): return .map([:])
        }
    }
}
