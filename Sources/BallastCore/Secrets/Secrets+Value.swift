public extension Secrets {
    /// A JSON value with every string scrubbed (keys too): for what leaves ballast as JSON,
    /// a report file, a journal entry, a webhook or GitHub request body.
    static func scrub(_ value: Value) -> Value {
        switch value {
        case .string(let text): return .string(scrub(text))
        case .list(let items): return .list(items.map(scrub))
        case .map(let fields):
            let scrubbed = fields.map { (scrub($0.key), scrub($0.value)) }
            return .map(Dictionary(scrubbed, uniquingKeysWith: { first, _ in first }))
        default: return value
        }
    }
}
