import BallastCore
import BallastDesiredState
import FoundationEssentials

public extension TerraformState {
    /// A state from a path (relative to `directory`) or `s3://bucket/key` (read with ballast's own client),
    /// for ownership (`terraform.states`, from the repository root) and `import --from-terraform`.
    /// `confined`: a location from the repository (environment.yaml), which must stay inside it.
    static func read(_ location: String, relativeTo directory: String, confined: Bool = true,
                     client: any AWSAPI) async throws(TerraformStateError) -> TerraformState {
        let text: String
        if location.hasPrefix("s3://") {
            let path = location.dropFirst(5).split(separator: "/", maxSplits: 1).map(String.init)
            guard path.count == 2, !path[0].isEmpty else {
                throw TerraformStateError("\(location) is not s3://bucket/key")
            }
            do {
                text = String(decoding: try await client.getObject(bucket: path[0], key: path[1]), as: UTF8.self)
            } catch {
                throw TerraformStateError("cannot read the Terraform state \(location): \(error)")
            }
        } else {
            let path = location.hasPrefix("/") ? location : directory + "/" + location
            if confined {
                // The file itself, links followed, must be inside the repository too.
                let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
                let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                guard real.hasPrefix(root + "/") else {
                    throw TerraformStateError("the Terraform state \(location) is outside the repository; "
                        + "name a path inside it or s3://bucket/key")
                }
            }
            let bytes: [UInt8]
            do {
                bytes = try BoundedFile.read(path, maxBytes: TerraformStatePath.maxBytes,
                                             what: "the Terraform state \(location)")
            } catch { throw TerraformStateError(error.description) }
            text = String(decoding: bytes, as: UTF8.self)
        }
        do { return try TerraformState(json: text) } catch { throw TerraformStateError("\(location): \(error)") }
    }
}

/// A Terraform state named by an environment that cannot be read or parsed.
public struct TerraformStateError: ReportedError {
    public let description: String

    public init(_ message: String) { description = message }
}
