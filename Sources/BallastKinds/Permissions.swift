import BallastCore

/// The IAM actions a kind's reads and writes call, and the resource each acts on,
/// for `ballast iam-policy`. Names are IAM's (`s3:GetLifecycleConfiguration`), which
/// are not always the API's.
public struct KindPermissions: Sendable {
    public let read: [String]
    public let write: [String]
    /// Actions AWS allows on no narrower resource than `*`.
    public let unscoped: Set<String>
    /// A resource's ARN from its id (a name, or an ARN as AWS names it) in a region and
    /// account (`*` when the environment names none).
    public let arn: @Sendable (_ id: String, _ region: String, _ account: String) -> String
    /// The id that stands for any resource of the kind (`*`, or `*/*` for `cluster/service`
    /// ids), for resources known only by a CloudFormation `ref` until run time.
    public let anyId: String

    public init(read: [String], write: [String], unscoped: Set<String> = [], anyId: String = "*",
                arn: @escaping @Sendable (_ id: String, _ region: String, _ account: String) -> String) {
        self.read = read
        self.write = write
        self.unscoped = unscoped
        self.anyId = anyId
        self.arn = arn
    }
}
