import FoundationEssentials

/// Reads a JSON report (spec section 4) back, as `ballast report merge` needs: enough
/// of each resource to render it again in any format.
public extension DriftReport {
    struct DecodingProblem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    init(json: Value) throws {
        guard json["schemaVersion"]?.int == 1, let command = json["command"]?.string,
              let revision = json["revision"]?.string,
              let generated = json["generatedAt"]?.string.flatMap(Timestamp.parse) else {
            throw DecodingProblem(description: "not a ballast JSON report "
                + "(schemaVersion 1, command, revision, generatedAt)")
        }
        var environments: [EnvironmentDrift] = []
        for environment in json["environments"]?.list ?? [] {
            guard let name = environment["name"]?.string, let region = environment["region"]?.string else {
                throw DecodingProblem(description: "an environment without name or region")
            }
            let resources = try (environment["resources"]?.list ?? []).map {
                try ResourceDrift(json: $0, environment: name)
            }
            environments.append(EnvironmentDrift(name: name, region: region, resources: resources))
        }
        self.init(command: command, revision: revision, generatedAt: generated, environments: environments)
        warnings = (json["warnings"]?.list ?? []).compactMap(\.string)
        if let index = json["shard"]?["index"]?.int, let count = json["shard"]?["count"]?.int {
            shard = Shard(index: index, count: count)
        }
    }
}

extension ResourceDrift {
    init(json: Value, environment: String) throws {
        guard let type = json["type"]?.string, let id = json["id"]?.string, let region = json["region"]?.string,
              let status = json["status"]?.string.flatMap(DriftStatus.init(rawValue:)) else {
            throw DriftReport.DecodingProblem(description: "a resource without type, id, region or status")
        }
        let identity: ResourceIdentity
        if let stack = json["ref"]?["stack"]?.string, let logicalId = json["ref"]?["logicalId"]?.string {
            identity = .ref(stack: stack, logicalId: logicalId)
        } else if let stack = json["ref"]?["stack"]?.string, let output = json["ref"]?["output"]?.string {
            identity = .output(stack: stack, key: output)
        } else {
            identity = .id(id)
        }
        let source = SourceLocation(file: json["source"]?["file"]?.string ?? "",
                                    line: json["source"]?["line"]?.int ?? 0,
                                    column: 0)
        let resource = DesiredResource(type: type, identity: identity, region: region, environment: environment,
                                       properties: [:], source: source)
        let differences = (json["differences"]?.list ?? []).compactMap { difference -> PropertyDifference? in
            guard let path = difference["path"]?.string,
                  let kind = difference["type"]?.string.flatMap(DifferenceType.init(rawValue:)) else { return nil }
            var read = PropertyDifference(path: path, expected: difference["expected"], actual: difference["actual"],
                                          type: kind)
            read.held = HoldMark(json: difference["held"])
            return read
        }
        self.init(resource: resource, physicalId: id, status: status, differences: differences,
                  reason: json["reason"]?.string)
        managedBy = ManagedBy(json: json["managedBy"])
        via = json["via"]?.string.flatMap(KindPath.init(rawValue:))
        attribution = Attribution(json: json["attribution"])
        holdEnded = HoldMark(json: json["holdEnded"])
        rotation = Rotation(json: json["rotation"])
    }
}

extension ManagedBy {
    init?(json: Value?) {
        switch json?["tool"]?.string {
        case "terraform":
            guard let address = json?["address"]?.string, let state = json?["state"]?.string else { return nil }
            self = .terraform(address: address, state: state)
        case "cloudformation":
            guard let stack = json?["stack"]?.string else { return nil }
            self = .cloudFormation(stack: stack, logicalId: json?["logicalId"]?.string,
                                   stackId: json?["stackId"]?.string)
        default:
            return nil
        }
    }
}

public extension PolicyResult {
    init?(json: Value) {
        guard let policy = json["policy"]?.string,
              let severity = json["severity"]?.string.flatMap(Policy.Severity.init(rawValue:)),
              let resource = json["resource"]?.string, let environment = json["environment"]?.string,
              let result = json["result"]?.string.flatMap(Outcome.init(rawValue:)) else { return nil }
        let source = json["source"]?["file"]?.string.map {
            SourceLocation(file: $0, line: json["source"]?["line"]?.int ?? 0, column: 0)
        }
        self.init(policy: policy, severity: severity, resource: resource, environment: environment,
                  message: json["message"]?.string ?? "", result: result, source: source,
                  reason: json["reason"]?.string)
    }
}
