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
    /// Actions AWS authorizes on the resource's parent (a Timestream table's database, for
    /// `ListTables`), and the parent's ARN from the resource's id.
    public let onParent: (actions: Set<String>, arn: @Sendable (_ id: String, _ region: String, _ account: String)
        -> String)?

    public init(read: [String], write: [String], unscoped: Set<String> = [], anyId: String = "*",
                onParent: (actions: Set<String>, arn: @Sendable (String, String, String) -> String)? = nil,
                arn: @escaping @Sendable (_ id: String, _ region: String, _ account: String) -> String) {
        self.read = read
        self.write = write
        self.unscoped = unscoped
        self.anyId = anyId
        self.onParent = onParent
        self.arn = arn
    }
}
