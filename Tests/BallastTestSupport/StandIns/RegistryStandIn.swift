import BallastCore
import Foundation

/// CloudFormation's registry for the tests: moto has no `DescribeType`, so it is answered here as
/// botocore's model (cloudformation 2010-05-15) and the API reference describe it: query
/// protocol, the schema a string in `DescribeTypeResult.Schema`, `TypeNotFoundException` (404)
/// for a type the registry does not have. The schemas are cfn-lint's (`CfnLintSchemas`), or one a
/// test serves instead (`serve`); every other CloudFormation request goes on to moto.
public final class RegistryStandIn: Sendable {
    static let namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
    private let served = Locked<[String: (schema: String, provisioning: String)]>([:])

    /// `schema` is the registry's answer for `type` from now on.
    public func serve(_ type: String, schema: String, provisioning: String = "FULLY_MUTABLE") {
        served.update { $0[type] = (schema, provisioning) }
    }

    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        guard (request.headers["authorization"] ?? "").contains("/cloudformation/aws4_request") else { return nil }
        let form = AWSWire.form(request.body)
        guard form["Action"] == "DescribeType" else { return nil }
        guard form["Type"] == "RESOURCE", let type = form["TypeName"] else {
            return Self.error(400, "ValidationError", "DescribeType needs Type=RESOURCE and a TypeName here")
        }
        let answer = served.current[type] ?? (try? CfnLintSchemas.text(for: type)).map { ($0, "FULLY_MUTABLE") }
        guard let (schema, provisioning) = answer else {
            return Self.error(404, "TypeNotFoundException", "The type '\(type)' cannot be found.")
        }
        let arn = "arn:aws:cloudformation:us-east-1::type/resource/" + type.replacingOccurrences(of: "::", with: "-")
        let body = "<DescribeTypeResponse xmlns=\"\(Self.namespace)\"><DescribeTypeResult>"
            + "<Arn>\(arn)</Arn><Type>RESOURCE</Type><TypeName>\(AWSWire.escaped(type))</TypeName>"
            + "<Schema>\(AWSWire.escaped(schema))</Schema><ProvisioningType>\(provisioning)</ProvisioningType>"
            + "<Visibility>PUBLIC</Visibility><IsDefaultVersion>true</IsDefaultVersion>"
            + "</DescribeTypeResult><ResponseMetadata><RequestId>\(UUID().uuidString)</RequestId></ResponseMetadata>"
            + "</DescribeTypeResponse>"
        return .response(status: 200, headers: ["Content-Type": "text/xml"], body: Array(body.utf8))
    }


    static func error(_ status: Int, _ code: String, _ message: String) -> LoopbackHTTPServer.Reply {
        AWSWire.queryError(namespace, status, code, message)
    }
}
