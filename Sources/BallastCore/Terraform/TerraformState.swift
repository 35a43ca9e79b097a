/// A Terraform state file (format version 4, what Terraform 0.12 and later write),
/// reduced to what ownership and import need: each managed resource instance's
/// address, type and attributes. Data sources are skipped.
public struct TerraformState: Sendable {
    public struct Instance: Sendable {
        /// `module.app.aws_cloudwatch_log_group.logs["api"]`.
        public var address: String
        /// `aws_cloudwatch_log_group`.
        public var type: String
        public var attributes: [String: Value]
    }

    public var instances: [Instance]

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses the state's JSON; refuses other format versions.
    public init(json text: String) throws {
        let root: Value
        do { root = try JSON.parse(text) } catch { throw Problem(description: "not JSON: \(error)") }
        guard let version = root["version"]?.int else { throw Problem(description: "no format version") }
        guard version == 4 else {
            throw Problem(description: "state format version \(version); ballast reads version 4 "
                + "(Terraform 0.12 and later)")
        }
        instances = []
        for resource in root["resources"]?.list ?? [] where resource["mode"]?.string == "managed" {
            guard let type = resource["type"]?.string, let name = resource["name"]?.string else { continue }
            let prefix = resource["module"]?.string.map { $0 + "." } ?? ""
            for instance in resource["instances"]?.list ?? [] {
                guard case .map(let attributes)? = instance["attributes"] else { continue }
                instances.append(Instance(address: prefix + "\(type).\(name)" + Self.key(instance["index_key"]),
                                          type: type, attributes: attributes))
            }
        }
    }

    /// `[0]` for count, `["api"]` for for_each, nothing for a single instance.
    static func key(_ index: Value?) -> String {
        switch index {
        case .int(let number)?: return "[\(number)]"
        case .string(let key)?: return "[" + JSON.encode(.string(key)) + "]"
        default: return ""
        }
    }
}
