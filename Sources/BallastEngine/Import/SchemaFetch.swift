import BallastCore
import BallastDesiredState
import BallastGit
import FoundationEssentials

/// `ballast schema fetch TYPE...`: each type's schema from CloudFormation's registry
/// (`DescribeType`, `Type=RESOURCE`), checked as `validate` will read it, and written into the
/// repository's working tree at `schemas/<Type with :: as ->.json>` for the user to commit. Once
/// committed, `validate` and CI need no AWS access for the type.
public enum SchemaFetch {
    static let describeType = APIOperation(.cloudFormation, "DescribeType")

    /// One type's schema as fetched: where it goes and what the registry said of it.
    public struct Fetched: Sendable {
        public let schema: RegistrySchema
        /// Pretty JSON, keys sorted: what is written (a stable diff when fetched again).
        public let text: String
        /// `FULLY_MUTABLE`, `IMMUTABLE`, `NON_PROVISIONABLE`.
        public let provisioningType: String
    }

    /// A type the registry could not give, or gave something ballast will not keep.
    public struct Problem: ReportedError {
        public let description: String
    }

    /// Fetches and checks one type's schema. The answer is untrusted: its type name must be the
    /// one asked for, and it must read as `validate` reads a schema.
    public static func fetch(_ typeName: String, client: any AWSAPI) async throws -> Fetched {
        guard RegistrySchema.isTypeName(typeName) else {
            throw Problem(description: "\(UntrustedText.line(typeName)) is not a type name like AWS::Kinesis::Stream")
        }
        let answer = try await client.query(describeType, ["Type": "RESOURCE", "TypeName": typeName])
        guard let text = answer.child("Schema")?.text, !text.isEmpty else {
            throw Problem(description: "\(typeName): DescribeType answered without a Schema")
        }
        let provisioning = answer.child("ProvisioningType")?.text ?? ""
        guard provisioning != "NON_PROVISIONABLE" else {
            throw Problem(description: "\(typeName) is NON_PROVISIONABLE in the registry: Cloud Control cannot "
                + "read or write it")
        }
        let path = RegistrySchema.path(for: typeName)
        let parsed: RegistrySchema
        do throws(Diagnostic) {
            parsed = try RegistrySchema.parse(Array(text.utf8), file: path)
        } catch {
            throw Problem(description: "\(typeName): the registry's schema does not read as one: \(error.message)")
        }
        let document = (try? JSON.parse(text)) ?? .null
        return Fetched(schema: parsed, text: JSON.encode(document, pretty: true) + "\n",
                       provisioningType: provisioning)
    }

    /// The working tree a schema is written into: the repository around `path`.
    public static func workingTree(around path: String) throws -> String {
        let repository = try GitRepository(discoveringFrom: path)
        guard let workdir = repository.workdir else {
            throw Problem(description: "\(repository.gitDirectory) is a bare repository; schemas are written into "
                + "a working tree and committed")
        }
        return workdir
    }

    /// Writes a fetched schema at its path under `root` (the folder made if needed), replacing the
    /// file whole. Returns the path written, relative to the root.
    @discardableResult
    public static func write(_ fetched: Fetched, root: String) throws -> String {
        let relative = RegistrySchema.path(for: fetched.schema.typeName)
        let folder = root + "/" + RegistrySchema.folder
        // Not followed if it is a link: the repository's files never choose where ballast writes.
        let folderKind = (try? FileManager.default.attributesOfItem(atPath: folder))?[.type] as? FileAttributeType
        if let folderKind, folderKind != .typeDirectory {
            throw Problem(description: "\(RegistrySchema.folder)/ is not a folder (a link or a file); not written")
        }
        if folderKind == nil {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        }
        let target = root + "/" + relative
        let attributes = try? FileManager.default.attributesOfItem(atPath: target)
        if let kind = attributes?[.type] as? FileAttributeType, kind != .typeRegular {
            throw Problem(description: "\(relative) exists and is not a regular file; not replaced")
        }
        try fetched.text.write(toFile: target, atomically: true, encoding: .utf8)
        return relative
    }
}
