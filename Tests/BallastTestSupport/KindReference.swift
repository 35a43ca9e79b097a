import BallastAWS
import BallastCore
import BallastKinds

/// docs/kinds.md, made from the kinds' own declarations: each kind's id, properties with their
/// types and ranges, what may be unset, the calls it reads and writes with, their IAM actions and
/// the request rates ballast paces them at (with the AWS page each rate comes from). A test fails
/// when the committed page is not what this makes (`BALLAST_UPDATE_DOCS=1` writes it).
public enum KindReference {
    public static func markdown(_ kinds: KindSchemas = Kinds.builtIn.schemas,
                                rates: RequestRates = .defaults) -> String {
        var out = """
            # Kinds reference

            Generated from the kinds' declarations (`Sources/BallastKinds/`) by the tests
            (`KindReferenceTests`; `BALLAST_UPDATE_DOCS=1 swift test --filter KindReferenceTests` writes it):
            a kind changes here when its code does. For how each kind reads and writes, in words, see
            [the desired-state repository](desired-state.md); for any other type,
            [Cloud Control](any-cloudformation-type.md).

            """
        out += "\n## Destructive changes\n\n"
            + "A planned change in one of these directions carries `risk: {class: destructive, reason}` "
            + "(text, JSON, the comment; `change.risk` in policies):\n\n"
            + destructiveTable(kinds) + "\n"
        out += "\n## Capacities checked against their load\n\n"
            + "Before a plan lowers one of these, it reads the metric over `--guard-window` (1h); a cut below what "
            + "it carried, or whose metric had no data, carries `guard: {metric, observed, window, limit}` "
            + "(`change.guard` in policies):\n\n"
            + guardTable(kinds) + "\n"
        for kind in kinds.all.sorted(by: { $0.type < $1.type }) {
            let resource = kind.resource
            out += "\n## `\(kind.type)`\n\n"
            out +=
                "- **id**: " + (resource.idFormat.map { "`\($0.description)`" } ?? "the resource's name or ARN") + "\n"
            if !kind.terraform.resourceType.isEmpty {
                out += "- **Terraform**: `\(kind.terraform.resourceType)`\n"
            }
            out += "\n| property | type |\n| --- | --- |\n"
            for (path, name, type) in rows(resource.properties, at: "", named: "") {
                let unset = resource.unsettable[path].map { "; `null`: must be unset (\($0))" } ?? ""
                out += "| `\(escape(name))` | \(escape(type.name))\(unset) |\n"
            }
            out += "\n| call | IAM action | when | paced at |\n| --- | --- | --- | --- |\n"
            for (operation, when) in kind.permissions.read.map({ ($0, "read") })
                + kind.permissions.write.map({ ($0, "write") }) {
                let rate = rates.rate(forKey: rates.key(operation))
                let paced = String(format: "%g/s, burst %g: ", rate.perSecond, rate.burst) + rate.sourceText
                out += "| `\(operation.call)` | `\(operation.iamAction)` | \(when) | \(escape(paced)) |\n"
            }
        }
        return out
    }

    /// One row per destructive case the kinds declare: the type, the property, the direction, what it
    /// deletes or turns off, and AWS's page. docs/kinds.md and the README show it; a test holds both to it.
    public static func destructiveTable(_ kinds: KindSchemas = Kinds.builtIn.schemas) -> String {
        var out = "| type | property | when | what it does | AWS |\n| --- | --- | --- | --- | --- |\n"
        for kind in kinds.all.sorted(by: { $0.type < $1.type }) {
            for destructive in kind.destructive {
                out += "| `\(kind.type)` | `\(destructive.path.dropFirst())` | \(destructive.said) | "
                    + "\(escape(destructive.reason)) | \(pageLink(destructive.source)) |\n"
            }
        }
        return out
    }

    /// The capacities a plan checks against their load: one row per guarded property.
    public static func guardTable(_ kinds: KindSchemas = Kinds.builtIn.schemas) -> String {
        var out = "| type | capacity | metric | what it needed | AWS |\n| --- | --- | --- | --- | --- |\n"
        for kind in kinds.all.sorted(by: { $0.type < $1.type }) {
            for guardrail in kind.guards {
                let needed = switch guardrail.measure {
                case .peak: "its highest value"
                case .perSecond: "the busiest minute's sum over 60 s"
                case .fullShareOfLive: "the highest % times the live count, rounded up"
                }
                var unset = guardrail.unsetIsUnlimited ? " (setting it where unset is a cut)" : ""
                if guardrail.cutNeedsLookups { unset += " (\(guardrail.limitName), read from AWS)" }
                out += "| `\(kind.type)` | `\(guardrail.path.dropFirst())`\(unset) | `\(guardrail.namespace)` "
                    + "`\(guardrail.metricName)` \(guardrail.statistic) | \(needed) | "
                    + "\(pageLink(guardrail.source)) |\n"
            }
        }
        return out
    }

    /// `[PutRetentionPolicy](https://...API_PutRetentionPolicy.html)`: an AWS page named by its file.
    static func pageLink(_ source: String) -> String {
        let page = source.split(separator: "/").last.map { String($0) } ?? source
        let name = page.replacingOccurrences(of: ".html", with: "").replacingOccurrences(of: "API_", with: "")
        return "[\(name)](\(source))"
    }

    /// Every leaf property of a schema: its path, its name as people read it (`MethodSettings[].HttpMethod`,
    /// `RouteSettings.<key>.ThrottlingRateLimit`), and its type; nested objects, lists and maps of objects
    /// flattened.
    static func rows(_ schema: ObjectSchema, at path: String, named prefix: String) -> [(String, String, ValueType)] {
        schema.fields.flatMap { field -> [(String, String, ValueType)] in
            let fieldPath = PropertyPath.appending(path, field.name)
            let name = prefix.isEmpty ? field.name : prefix + "." + field.name
            switch field.type {
            case .object(let inner): return rows(inner, at: fieldPath, named: name)
            case .list(.object(let inner), let most):
                let bound = most.map { " (at most \($0))" } ?? ""
                return [(fieldPath, name + bound, field.type)] + rows(inner, at: fieldPath + "/*", named: name + "[]")
            case .map(.object(let inner)):
                return rows(inner, at: fieldPath + "/*", named: name + ".<key>")
            default: return [(fieldPath, name, field.type)]
            }
        }
    }

    static func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
