import BallastCore
import Foundation
import Testing

/// google/cel-spec's simple conformance tests: every case inside ballast's CEL
/// subset must pass. A case is outside the subset when its expression uses
/// syntax or functions the subset does not have (the parser says so), binds or
/// expects values of types it does not have (uint, bytes, messages, types), or
/// needs a container or a type-check-only result.
@Suite struct CELConformanceTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("CELConformance")

    struct Tally {
        var total = 0, inSubset = 0, passed = 0
        var failures: [String] = []
        var skippedSections: [String] = []
    }

    @Test func everyCaseInTheSubsetPasses() throws {
        var tally = Tally()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter {
            $0.hasSuffix(".textproto")
        }.sorted()
        for file in files {
            let proto = try TextProto.parse(
                try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8))
            let fileName = proto["name"]?.text ?? file
            for section in proto.all("section") {
                let before = tally.inSubset
                let cases = section.all("test")
                for test in cases { run(test, file: fileName, section: section["name"]?.text ?? "?", tally: &tally) }
                if tally.inSubset == before {
                    tally.skippedSections.append("\(fileName)/\(section["name"]?.text ?? "?") (\(cases.count))")
                }
            }
        }
        print(
            "CEL conformance: \(tally.passed) passed of \(tally.inSubset) cases in ballast's subset "
                + "(\(tally.total) cases in \(files.count) files)"
        )
        print("sections with no case in the subset: " + tally.skippedSections.joined(separator: ", "))
        for failure in tally.failures { print("FAIL " + failure) }
        #expect(tally.failures.isEmpty)
        #expect(tally.passed == tally.inSubset)
        #expect(tally.inSubset > 300)  // the subset covers most of these files; a parser regression shows here
    }

    func run(_ test: TextProto, file: String, section: String, tally: inout Tally) {
        tally.total += 1
        let name = "\(file)/\(section)/\(test["name"]?.text ?? "?")"
        guard let source = test["expr"]?.text, test["container"] == nil, test["check_only"] == nil,
              test["unknown"] == nil, test["any_eval_errors"] == nil, test["any_unknowns"] == nil else { return }
        var variables: [String: CELValue] = [:]
        for binding in test.all("bindings") {
            // Dotted names are qualified identifiers: outside the subset.
            guard let key = binding["key"]?.text, !key.contains("."),
                let value = binding["value"]?["value"].flatMap(Self.value)
            else { return }
            variables[key] = value
        }
        let expected: CELValue?
        let wantsError = test["eval_error"] != nil
        if let value = test["value"] ?? test["typed_result"]?["result"] {
            guard let converted = Self.value(value) else { return }
            expected = converted
        } else if wantsError {
            expected = nil
        } else {
            expected = .bool(true)  // no expectation written means true
        }
        let expression: CELExpression
        do {
            expression = try CELExpression(source)
        } catch {
            if error.message.contains("outside ballast's CEL subset") || error.message.hasPrefix("unknown function")
                || error.message.hasPrefix("unknown method")
                || error.message.hasPrefix("'") && error.message.contains("reserved") {
                return
            }
            tally.inSubset += 1
            if wantsError {
                tally.passed += 1
            } else {
                tally.failures.append("\(name): \(source) did not parse: \(error)")
            }
            return
        }
        tally.inSubset += 1
        do {
            let result = try expression.evaluate(variables)
            if let expected, Self.same(result, expected) {
                tally.passed += 1
            } else {
                tally.failures.append(
                    "\(name): \(source) = \(result.display), expected \(expected.map(\.display) ?? "an error")")
            }
        } catch {
            if wantsError { tally.passed += 1 } else { tally.failures.append("\(name): \(source) failed: \(error)") }
        }
    }

    /// A conformance `Value` message as a subset value; nil for types outside the subset.
    static func value(_ proto: TextProto) -> CELValue? {
        let fields = proto.fieldNames
        guard fields.count <= 1 else { return nil }
        guard let field = fields.first else { return nil }
        let inner = proto[field]!
        switch field {
        case "int64_value": return inner.text.flatMap(Int64.init).map(CELValue.int)
        case "double_value":
            switch inner.text?.lowercased() {
            case "inf", "infinity": return .double(.infinity)
            case "-inf", "-infinity": return .double(-.infinity)
            case "nan": return .double(.nan)
            case let text?: return Double(text).map(CELValue.double)
            default: return nil
            }
        case "string_value": return inner.text.map(CELValue.string)
        case "bool_value": return .bool(inner.text == "true")
        case "null_value": return .null
        case "list_value":
            var items: [CELValue] = []
            for item in inner.all("values") {
                guard let value = value(item) else { return nil }
                items.append(value)
            }
            return .list(items)
        case "map_value":
            var fields: [CELKey: CELValue] = [:]
            for entry in inner.all("entries") {
                guard let key = entry["key"].flatMap(value), let value = entry["value"].flatMap(value) else {
                    return nil
                }
                switch key {
                case .int(let i): fields[.int(i)] = value
                case .string(let s): fields[.string(s)] = value
                case .bool(let b): fields[.bool(b)] = value
                default: return nil
                }
            }
            return .map(fields)
        default: return nil
        }
    }

    /// Exact sameness for results: types must match, NaN matches NaN.
    static func same(_ a: CELValue, _ b: CELValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.map(let x), .map(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        default: return a == b
        }
    }
}
