/// The operations a kind's reads and writes call, and the resource each acts on, for
/// `ballast iam-policy` (by each operation's `iamAction`, which is not always the API's name).
public struct KindPermissions: Sendable {
    public let read: [APIOperation]
    public let write: [APIOperation]
    /// Operations AWS authorizes on no narrower resource than `*`.
    public let unscoped: Set<APIOperation>
    /// A resource's ARN from its id (a name, or an ARN as AWS names it) in a region and
    /// account (`*` when the environment names none).
    public let arn: @Sendable (_ id: String, _ region: String, _ account: String) -> String
    /// The id that stands for any resource of the kind (`*`, or `*/*` for `cluster/service`
    /// ids), for resources known only by a CloudFormation `ref` until run time.
    public let anyId: String
    /// Operations AWS authorizes on the resource's parent (a Timestream table's database, for
    /// `ListTables`), and the parent's ARN from the resource's id.
    public let onParent: (operations: Set<APIOperation>,
                          arn: @Sendable (_ id: String, _ region: String, _ account: String) -> String)?
    /// IAM actions a Cloud Control type's handlers make with the caller's credentials (its registry
    /// schema's `handlers.read.permissions`, `handlers.update.permissions`), on `*`.
    public let handlers: (read: [String], write: [String])

    public init(read: [APIOperation], write: [APIOperation], unscoped: Set<APIOperation> = [], anyId: String = "*",
                onParent: (operations: Set<APIOperation>, arn: @Sendable (String, String, String) -> String)? = nil,
                handlers: (read: [String], write: [String]) = ([], []),
                arn: @escaping @Sendable (_ id: String, _ region: String, _ account: String) -> String) {
        self.handlers = handlers
        self.read = read
        self.write = write
        self.unscoped = unscoped
        self.anyId = anyId
        self.onParent = onParent
        self.arn = arn
    }
}
