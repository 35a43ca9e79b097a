import BallastCore
import BallastTestSupport
import Foundation

/// Every registry schema cfn-lint bundles for us-east-1, read as `validate` reads `schemas/`:
/// how long each takes to convert (definitions shared, patterns compiled to linear-time
/// matchers), which are refused by ballast's bounds, and how many patterns are left unchecked.
enum SchemaBenchmark {
    static func run(_ arguments: [Int]) throws {
        let runs = arguments.first ?? 3
        let types = try CfnLintSchemas.types()
        let texts = try types.map { Array(try CfnLintSchemas.text(for: $0).utf8) }
        print("schemas: \(types.count) types from cfn-lint, \(texts.reduce(0) { $0 + $1.count } / 1_024) KiB")
        var best: [Double] = Array(repeating: .infinity, count: types.count)
        var refused: [String] = []
        var unchecked = 0, withUnchecked = 0
        for run in 0..<runs {
            for (index, type) in types.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                do {
                    let schema = try RegistrySchema.parse(texts[index], file: RegistrySchema.path(for: type))
                    if run == 0, let note = schema.notes.first {
                        unchecked +=
                            Int(note.split(separator: ":").dropFirst().first?.split(separator: " ").first ?? "") ?? 0
                        withUnchecked += 1
                    }
                } catch {
                    if run == 0 { refused.append("\(type): \(error.message)") }
                }
                best[index] = min(best[index], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
        }
        let sorted = best.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        let slowest = best.enumerated().sorted { $0.element > $1.element }.prefix(5)
        print(
            String(
                format: "convert (best of %d): total %.1f ms, p50 %.3f ms, p95 %.3f ms, max %.1f ms", runs,
                best.reduce(0, +), percentile(0.5), percentile(0.95), sorted.last ?? 0))
        print(
            "slowest: "
                + slowest.map { String(format: "%@ %.1f ms", types[$0.offset], $0.element) }
                .joined(separator: ", "))
        print(
            "refused (too large, or not a resource ballast can name): \(refused.count)"
                + (refused.isEmpty ? "" : ": " + refused.joined(separator: "; ")))
        print(
            "patterns not checked (lookaround, back-references, inline flags): \(unchecked) in \(withUnchecked) "
                + "schemas"
        )
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak memory: \(usage.ru_maxrss / 1_024) MiB")
    }
}
