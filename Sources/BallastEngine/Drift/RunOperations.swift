import BallastCore

/// The operations ballast makes besides the kinds' own, each declared once: the account guard,
/// CloudFormation stacks (refs and ownership), Terraform states in S3, the lock table (journal,
/// lock, holds, drift-notify state) and CloudWatch metrics. Every call site uses these values;
/// `--dry-run-reads` counts them; `iam-policy` grants them from `RunCalls`, never from a string.
extension APIOperation {
    public static let getCallerIdentity = APIOperation(.sts, "GetCallerIdentity")
    public static let listStackResources = APIOperation(.cloudFormation, "ListStackResources")
    public static let describeStacks = APIOperation(.cloudFormation, "DescribeStacks")
    public static let getTemplate = APIOperation(.cloudFormation, "GetTemplate")
    public static let getObject = APIOperation(.s3, "GetObject")
    public static let getItem = APIOperation(.dynamodb, "GetItem")
    public static let putItem = APIOperation(.dynamodb, "PutItem")
    public static let updateItem = APIOperation(.dynamodb, "UpdateItem")
    public static let deleteItem = APIOperation(.dynamodb, "DeleteItem")
    public static let scan = APIOperation(.dynamodb, "Scan")
    public static let putMetricData = APIOperation(.cloudWatch, "PutMetricData")
    /// `watch --events`: the queue's long poll, and a handled message's removal.
    public static let receiveMessage = APIOperation(.sqs, "ReceiveMessage")
    public static let deleteMessage = APIOperation(.sqs, "DeleteMessage")
}

/// Which of those each use makes: what `iam-policy` grants for it.
public enum RunCalls {
    /// Stacks a ref points into, or an environment names for ownership.
    static let stacks: [APIOperation] = [.describeStacks, .getTemplate, .listStackResources]
    /// Terraform states kept in S3.
    static let terraformStates: [APIOperation] = [.getObject]
    /// Every run reads the environment's holds from its lock table.
    static let holds: [APIOperation] = [.scan]
    /// `ballast hold`: reads the holds, keeps a new one or a release.
    static let holding: [APIOperation] = [.scan, .putItem]
    /// `drift --notify`: the notify state's item.
    static let notifyState: [APIOperation] = [.getItem, .putItem]
    /// apply (rollback, revert, self-heal): the lock, the journal (intent, progress, entry; interrupted
    /// runs found by a scan), the holds, and an ended hold recorded as said.
    static let applying: [APIOperation] = [.getItem, .putItem, .updateItem, .deleteItem, .scan]
    /// `history --from-lock-table`: the journal's entries.
    static let history: [APIOperation] = [.scan]
    /// `--publish-metrics`.
    static let metrics: [APIOperation] = [.putMetricData]
    /// `watch --events`: the queue, and nothing else of SQS.
    static let events: [APIOperation] = [.receiveMessage, .deleteMessage]
}
