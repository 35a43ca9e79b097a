/// What a registry schema's handlers ask IAM for, judged before `iam-policy` grants any of it: a
/// schema is repository text, so one that asks for `iam:*` or `sts:AssumeRole` must not turn
/// ballast's read-only drift role into an administrator. Wildcards and actions that escalate
/// privilege are granted only when the environment lists them (`schemaPermissions` in its
/// environment.yaml); every other action is a plain IAM action, granted as asked.
public enum SchemaPermissions {
    /// `kinesis:DescribeStreamSummary`: a service prefix and an action (a `*` wildcard allowed), as IAM
    /// writes one; anything else in a schema's permissions is never passed through.
    public static func isAction(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].count), (1...128).contains(parts[1].count) else {
            return false
        }
        return parts[0].allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
            && parts[1].allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "*" }
    }

    /// Why an action (one `isAction` accepts) is not granted unless listed, or nil for a plain action.
    public static func risk(of action: String) -> String? {
        let parts = action.split(separator: ":", maxSplits: 1).map { $0.lowercased() }
        guard parts.count == 2 else { return "not an IAM action" }
        let (service, name) = (parts[0], parts[1])
        if action.contains("*") { return "a wildcard" }
        // Identity and account control: each can make a role more than it is.
        if ["iam", "sts", "organizations", "sso", "identitystore"].contains(service) {
            return "escalates privilege (\(service))"
        }
        // A KMS key's policy and grants decide who may use the key.
        if service == "kms", ["putkeypolicy", "creategrant", "retiregrant", "revokegrant", "replicatekey"]
            .contains(name) {
            return "changes who may use a KMS key"
        }
        // Secret values, not their settings.
        let secrets: [String: Set<String>] = [
            "secretsmanager": ["getsecretvalue", "batchgetsecretvalue", "putresourcepolicy"],
            "ssm": ["getparameter", "getparameters", "getparametersbypath"],
            "kms": ["decrypt"],
        ]
        if secrets[service]?.contains(name) == true { return "reads secret values" }
        return nil
    }

    /// One schema's handler actions, split into what is granted and what is held back (with why).
    public struct Judgement: Sendable, Equatable {
        public var granted: [String]
        public var refused: [(action: String, reason: String)]

        public static func == (lhs: Judgement, rhs: Judgement) -> Bool {
            lhs.granted == rhs.granted && lhs.refused.map(\.action) == rhs.refused.map(\.action)
        }
    }

    /// `asked`, each action either granted (plain, or listed in `allowed`) or refused with its reason.
    public static func judge(_ asked: [String], allowed: Set<String>) -> Judgement {
        var judgement = Judgement(granted: [], refused: [])
        for action in Set(asked).sorted() {
            if let reason = risk(of: action), !allowed.contains(action) {
                judgement.refused.append((action, reason))
            } else {
                judgement.granted.append(action)
            }
        }
        return judgement
    }
}
