import Foundation
import Testing

/// The seams the layout promises, read off the sources: the engine sees ports, never the AWS
/// client; every AWS call the engine and the kinds make is a declared `APIOperation` (so
/// `iam-policy` can grant it), never an operation spelled as a string at the call.
@Suite struct ArchitectureTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    /// Each Swift file under `Sources/<module>`, with its text.
    func files(_ module: String) throws -> [(path: String, text: String)] {
        let root = Self.sources.appendingPathComponent(module)
        let paths = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return try paths.filter { $0.hasSuffix(".swift") }.sorted().map {
            ("Sources/\(module)/\($0)", try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8))
        }
    }

    @Test func theEngineImportsNoAdapter() throws {
        let engine = try files("BallastEngine")
        #expect(!engine.isEmpty)
        let client = try Regex(#"\bAWSClient\b"#)
        let leaks = engine.filter {
            $0.text.contains("import BallastAWS") || $0.text.contains("import BallastAdapters")
                || $0.text.contains(client)
        }
        #expect(leaks.map(\.path) == [])
    }

    @Test func everyCallIsADeclaredOperation() throws {
        let call = try Regex(#"\.(json|query|restJSON|restXML|jsonPages|queryPages)\(\.[A-Za-z0-9]+, ""#)
        var spelled: [String] = []
        for module in ["BallastEngine", "BallastKinds", "BallastAdapters", "BallastWatch", "ballast"] {
            for file in try files(module) {
                for (number, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains(call) {
                    spelled.append("\(file.path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(spelled == [])
    }

    /// A resource's kind is looked up by its type's name once, where the name arrives (a desired-state
    /// file at decode, a saved plan or merged report, a CloudFormation stack's resource list, a Terraform
    /// state); after that the kind travels with the resource, its drift and its changes. The engine
    /// looks a name up only in those readers.
    @Test func theEngineLooksAKindUpOnlyWhereATypeNameArrives() throws {
        let lookup = try Regex(#"\[type: |\.kind\(for:|\.kind\(terraformType:|writeOrRecorded|schemas\[type"#)
        let arrivals: Set = [
            "Sources/BallastEngine/Plan/PlanFile.swift", "Sources/BallastEngine/Plan/ReportMerge.swift",
            "Sources/BallastEngine/Drift/Ownership.swift",
            "Sources/BallastEngine/Import/ImportedResource.swift",
        ]
        var found: [String] = []
        for module in ["BallastEngine", "BallastWatch", "BallastRender"] {
            for file in try files(module) where !arrivals.contains(file.path) {
                for (number, line) in file.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains(lookup) {
                    found.append("\(file.path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(found == [])
    }

    /// Lines under 120 columns: every line of the sources; in the tests, every line of code (a line of a
    /// multi-line literal or a raw string is data: a desired-state file, expected output, a script).
    @Test func linesAreUnder120Columns() throws {
        let root = Self.sources.deletingLastPathComponent()
        var long: [String] = []
        for folder in ["Sources", "Tests"] {
            let base = root.appendingPathComponent(folder)
            let paths = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for path in paths.filter({ $0.hasSuffix(".swift") }).sorted() {
                let text = try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8)
                var inLiteral = false
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let delimiters = line.components(separatedBy: "\"\"\"").count - 1
                    let data = folder == "Tests" && (inLiteral || delimiters > 0 || line.contains("#\""))
                    if delimiters % 2 == 1 { inLiteral.toggle() }
                    if line.count >= 120, !data { long.append("\(folder)/\(path):\(number + 1)") }
                }
            }
        }
        #expect(long == [])
    }
}
