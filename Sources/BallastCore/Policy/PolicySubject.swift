import FoundationEssentials

/// A desired resource as state policies see it, made once for every policy that matches it.
final class PolicySubject {
    let type: String
    let id: String
    /// `AWS::Logs::LogGroup /aws/ec2/tolling-vision`, the result's `resource`.
    let name: String
    let environment: String
    let source: SourceLocation
    /// One set of variables per combination of range bounds (one when nothing is ranged).
    let variants: [(label: String?, variables: [String: CELValue])]

    /// `live`: what a run read of the resource that policies may judge (`live.lastRotated`); empty where
    /// nothing was read (`validate`).
    init(_ resource: DesiredResource, id: String, live: [String: Value] = [:]) {
        type = resource.type
        self.id = id
        name = "\(resource.type) \(id)"
        environment = resource.environment
        source = resource.source
        let described: CELValue = .map([
            .string("type"): .string(resource.type), .string("id"): .string(id),
            .string("region"): .string(resource.region),
            .string("source"): .string("\(resource.source.file):\(resource.source.line)"),
        ])
        variants = PolicyEngine.propertyVariants(resource.properties).map { variant in
            (
                variant.label,
                [
                    "properties": variant.properties, "environment": .string(resource.environment),
                    "resource": described, "live": CELValue(.map(live)),
                ]
            )
        }
    }
}

/// Resources grouped by (environment, type), so globs on those run once per group.
struct ResourceKinds {
    var keys: [(environment: String, type: String)] = []
    /// For each resource, its index in `keys`.
    var ofResource: [Int] = []

    init(_ resources: [DesiredResource]) {
        var index: [String: Int] = [:]
        for resource in resources {
            let key = resource.environment + " " + resource.type
            if let known = index[key] { ofResource.append(known); continue }
            index[key] = keys.count
            ofResource.append(keys.count)
            keys.append((resource.environment, resource.type))
        }
    }
}

extension CELValue {
    /// An expectation without ranges as a value.
    init(exactly expectation: Expectation) {
        switch expectation {
        case .exact(let value): self.init(value)
        case .range: self = .null
        case .object(let fields):
            self = .map(
                Dictionary(uniqueKeysWithValues: fields.map { (CELKey.string($0.key), CELValue(exactly: $0.value)) }))
        }
    }
}

/// Each slice's results, filled from several threads and joined in slice order.
final class SliceResults: @unchecked Sendable {
    private let lock = Lock()
    private var parts: [[PolicyResult]]

    init(count: Int) { parts = Array(repeating: [], count: count) }

    func store(_ index: Int, _ results: [PolicyResult]) { lock.withLock { parts[index] = results } }

    func joined() -> [PolicyResult] { lock.withLock { parts.flatMap { $0 } } }
}
