/// Where `terraform: {states: [...]}` may point: `s3://bucket/key`, or a path inside the
/// repository, relative to its root. A pull request edits environment.yaml, so an absolute path
/// or one climbing out with `..` would let it make the plan job read any file on the runner.
public enum TerraformStatePath {
    /// The largest state file read (256 MiB, the bound of every other input ballast reads whole).
    public static let maxBytes = 256 << 20

    /// Why `text` is not an accepted location, or nil when it is.
    public static func problem(_ text: String) -> String? {
        if text.hasPrefix("s3://") {
            // `s3://bucket/key`: a bucket, and a key whose segments are names (no `.`, `..` or empty one),
            // so no endpoint that resolves them can be led to another bucket or object.
            let parts = text.dropFirst(5).split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 2, !parts[0].isEmpty else {
                return "an S3 Terraform state is s3://bucket/key, not '\(text)'"
            }
            if let bad = parts.dropFirst().first(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                let what = bad.isEmpty ? "an empty segment" : "a '\(bad)' segment"
                return "an S3 Terraform state's key names one object: \(what) in '\(text)' is not allowed"
            }
            return nil
        }
        if text.hasPrefix("/") || text.hasPrefix("~") {
            return "a Terraform state is a path relative to the repository's root, or s3://bucket/key, not '\(text)'"
        }
        if text.split(separator: "/").contains("..") {
            return "a Terraform state path stays inside the repository: no '..' in '\(text)'"
        }
        return nil
    }
}
