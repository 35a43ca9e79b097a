import BallastCore
import FoundationEssentials

/// Desired-state YAML for imported resources: one file per kind (or one `--out` file),
/// sorted by type and id so a second import of the same things writes the same bytes,
/// with a comment naming the source. Every value is written as JSON, which YAML 1.2
/// reads as the same value (strings always quoted: no `yes`/`0755` surprises).
public struct ImportWriter: Sendable {
    public var environmentFolder: String
    /// `terraform state terraform.tfstate`, `live (us-east-1)`, `CloudFormation stack tv-prod`.
    public var source: String

    public init(environmentFolder: String, source: String) {
        self.environmentFolder = environmentFolder
        self.source = source
    }

    /// File path (under the environment folder unless `out` names one) -> content.
    public func files(_ resources: [ImportedResource], out: String?) -> [(path: String, text: String)] {
        let sorted = resources.sorted { ($0.type, $0.identity.description) < ($1.type, $1.identity.description) }
        if let out { return [(out, document(sorted))] }
        return Dictionary(grouping: sorted, by: \.type).keys.sorted().map { type in
            (environmentFolder + "/" + Self.fileName(type), document(sorted.filter { $0.type == type }))
        }
    }

    /// `AWS::Logs::LogGroup` -> `logs-log-group.yaml`.
    static func fileName(_ type: String) -> String {
        let words = type.split(separator: ":").dropFirst().map { part -> String in
            var word = ""
            for (index, character) in part.enumerated() {
                let previous = index > 0 ? part[part.index(part.startIndex, offsetBy: index - 1)] : " "
                if character.isUppercase, index > 0, previous.isLowercase { word += "-" }
                word.append(character)
            }
            return word.lowercased()
        }
        return words.joined(separator: "-") + ".yaml"
    }

    public func document(_ resources: [ImportedResource]) -> String {
        var out = "# Imported by ballast import from \(UntrustedText.line(source)).\n"
        out += "# Every property ballast owns is as it was when imported: edit, commit, and ballast keeps it so.\n"
        out += "resources:\n"
        for resource in resources {
            out += "  # from \(UntrustedText.line(resource.origin))\n"
            out += "  - type: \(resource.type)\n"
            switch resource.identity {
            case .id(let id): out += "    id: \(JSON.encode(.string(id)))\n"
            case .ref(let stack, let logicalId):
                out += "    ref: {stack: \(JSON.encode(.string(stack))), "
                    + "logicalId: \(JSON.encode(.string(logicalId)))}\n"
            case .output(let stack, let key):
                out += "    ref: {stack: \(JSON.encode(.string(stack))), output: \(JSON.encode(.string(key)))}\n"
            }
            out += "    properties:\n"
            for key in resource.properties.keys.sorted() {
                out += "      \(key): \(JSON.encode(resource.properties[key]!))\n"
            }
        }
        return out
    }

    /// Writes the files; refuses (writing none) when one exists and `force` is off.
    public func write(_ files: [(path: String, text: String)], force: Bool) throws(ImportError) {
        if !force, let existing = files.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            throw ImportError("\(existing.path) exists; import writes nothing over a file unless --force "
                + "(or choose another with --out)")
        }
        for file in files {
            do {
                let folder = URL(fileURLWithPath: file.path).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Secrets.scrub(file.text).write(toFile: file.path, atomically: true, encoding: .utf8)
            } catch {
                throw ImportError("cannot write \(file.path): \(systemReason(error))")
            }
        }
    }
}
