/// The JSON report of spec section 4. `changes` and `policy` stay empty for
/// `drift`; `plan` fills them.
public extension DriftReport {
    func json(changes: [Value] = [], policy: [Value] = []) -> Value {
        let summary = summary
        var report: [String: Value] = [
            "schemaVersion": .int(1),
            "command": .string(command),
            "revision": .string(revision),
            "generatedAt": .string(Timestamp.iso8601(generatedAt)),
            "summary": .map([
                "resources": .int(summary.resources), "inSync": .int(summary.inSync),
                "modified": .int(summary.modified),
                "deleted": .int(summary.deleted), "notChecked": .int(summary.notChecked), "held": .int(summary.held),
            ]),
            "environments": .list(environments.map { environment in
                .map(["name": .string(environment.name), "region": .string(environment.region),
                      "resources": .list(environment.resources.map(\.json))])
            }),
            "changes": .list(changes),
            "policy": .list(policy),
        ]
        if !warnings.isEmpty { report["warnings"] = .list(warnings.map(Value.string)) }
        if let shard { report["shard"] = shard.json }
        return .map(report)
    }
}

extension ResourceDrift {
    var json: Value {
        var fields: [String: Value] = [
            "type": .string(resource.type),
            "id": .string(displayId),
            "region": .string(resource.region),
            "source": .map(["file": .string(resource.source.file), "line": .int(resource.source.line)]),
            "status": .string(status.rawValue),
            "differences": .list(differences.map(\.json)),
        ]
        switch resource.identity {
        case .id: break
        case .ref(let stack, let logicalId):
            fields["ref"] = .map(["stack": .string(stack), "logicalId": .string(logicalId)])
        case .output(let stack, let key): fields["ref"] = .map(["stack": .string(stack), "output": .string(key)])
        }
        if let reason { fields["reason"] = .string(reason) }
        if let managedBy { fields["managedBy"] = managedBy.json }
        if let via { fields["via"] = .string(via.rawValue) }
        if let attribution { fields["attribution"] = attribution.json }
        if let holdEnded { fields["holdEnded"] = .map(["id": .string(holdEnded.id), "by": .string(holdEnded.by),
                                                       "until": .string(Timestamp.iso8601(holdEnded.until))]) }
        if let rotation { fields["rotation"] = rotation.json }
        return .map(fields)
    }
}

extension PropertyDifference {
    var json: Value {
        var fields: [String: Value] = ["path": .string(path), "expected": expected ?? .null, "actual": actual ?? .null,
                                       "type": .string(type.rawValue)]
        if let held { fields["held"] = held.json }
        return .map(fields)
    }
}
