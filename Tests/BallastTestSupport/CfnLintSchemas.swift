import BallastCore
import Foundation

/// CloudFormation resource provider schemas as PyPI's cfn-lint ships them (its
/// `data/schemas/providers/us_east_1.py` maps each type to a file in `data/schemas/resources/`):
/// the tests' registry schemas, never written by hand. cfn-lint leaves out the schemas'
/// `handlers`; a test that needs them says what it adds.
public enum CfnLintSchemas {
    /// cfn-lint's `data/schemas` folder, found once through the Python that has cfn-lint.
    static let folder: Result<String, TestFailure> = {
        let script = "import cfnlint, os; print(os.path.join(os.path.dirname(cfnlint.__file__), 'data', 'schemas'))"
        for python in ["python3", ".build-tools/venv/bin/python3"] {
            guard let run = try? Run.process("/usr/bin/env", [python, "-c", script]), run.status == 0 else { continue }
            let path = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if FileManager.default.fileExists(atPath: path + "/providers/us_east_1.py") { return .success(path) }
        }
        return .failure(TestFailure("cfn-lint not found: run scripts/install-deps.sh (pip install cfn-lint)"))
    }()

    /// The schema cfn-lint ships for `type`, as text.
    public static func text(for type: String) throws -> String {
        let folder = try folder.get()
        let index = try String(contentsOfFile: folder + "/providers/us_east_1.py", encoding: .utf8)
        let entry = "\"\(type)\": \""
        guard let start = index.range(of: entry),
              let end = index.range(of: "\"", range: start.upperBound..<index.endIndex) else {
            throw TestFailure("cfn-lint has no schema for \(type)")
        }
        let file = String(index[start.upperBound..<end.lowerBound])
        return try String(contentsOfFile: folder + "/resources/" + file + ".json", encoding: .utf8)
    }

    /// Every type cfn-lint has a schema of for us-east-1, sorted.
    public static func types() throws -> [String] {
        let index = try String(contentsOfFile: try folder.get() + "/providers/us_east_1.py", encoding: .utf8)
        var found: Set<String> = []
        for line in index.split(separator: "\n") {
            let parts = line.split(separator: "\"")
            if parts.count >= 2, RegistrySchema.isTypeName(String(parts[1])) { found.insert(String(parts[1])) }
        }
        return found.sorted()
    }

    /// The schema as a registry schema, read the way `validate` reads `schemas/`.
    public static func registry(for type: String) throws -> RegistrySchema {
        try RegistrySchema.parse(Array(try text(for: type).utf8), file: RegistrySchema.path(for: type))
    }

    /// The schema with `handlers` added (cfn-lint strips them; the registry's schemas have them):
    /// `update: nil` leaves out the update handler, as the registry does for a type it cannot update.
    public static func withHandlers(_ type: String, read: [String], update: [String]?) throws -> String {
        guard case .map(var document) = try JSON.parse(try text(for: type)) else {
            throw TestFailure("cfn-lint's schema of \(type) is not an object")
        }
        var handlers: [String: Value] = ["read": ["permissions": .list(read.map(Value.string))]]
        if let update { handlers["update"] = ["permissions": .list(update.map(Value.string))] }
        document["handlers"] = .map(handlers)
        return JSON.encode(.map(document), pretty: true)
    }
}
