import BallastCore

/// The operations a run makes besides the kinds' own: the account guard and CloudFormation
/// stacks (refs and ownership). `--dry-run-reads` counts them; `iam-policy` grants them.
extension APIOperation {
    static let getCallerIdentity = APIOperation(.sts, "GetCallerIdentity")
    static let listStackResources = APIOperation(.cloudFormation, "ListStackResources")
    static let describeStacks = APIOperation(.cloudFormation, "DescribeStacks")
    static let getTemplate = APIOperation(.cloudFormation, "GetTemplate")
}
