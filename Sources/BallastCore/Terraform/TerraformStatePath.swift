/// Where `terraform: {states: [...]}` may point: `s3://bucket/key`, or a path inside the
/// repository, relative to its root. A pull request edits environment.yaml, so an absolute path
/// or one climbing out with `..` would let it make the plan job read any file on the runner.
public enum TerraformStatePath {
    /// The largest state file read (256 MiB, the bound of every other input ballast reads whole).
    public static let maxBytes = 256 << 20

    /// Why `text` is not an accepted location, or nil when it is.
    public static func problem(_ text: String) -> String? {
        if text.hasPrefix("s3://") { return nil }
        if text.hasPrefix("/") || text.hasPrefix("~") {
            return "a Terraform state is a path relative to the repository's root, or s3://bucket/key, not '\(text)'"
        }
        if text.split(separator: "/").contains("..") {
            return "a Terraform state path stays inside the repository: no '..' in '\(text)'"
        }
        return nil
    }
}
