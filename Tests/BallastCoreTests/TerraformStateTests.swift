import BallastCore
import BallastKinds
import Foundation
import Testing

/// Terraform state v4 as ballast reads it, and the kinds' mapping tables.
@Suite struct TerraformStateTests {
    static let state = #"""
        {"version": 4, "terraform_version": "1.9.8", "resources": [
          {"mode": "managed", "type": "aws_cloudwatch_log_group", "name": "logs", "module": "module.app",
           "instances": [{"index_key": "api", "attributes": {"name": "/app/api", "retention_in_days": 0}},
                         {"index_key": "worker", "attributes": {"name": "/app/worker", "retention_in_days": 14}}]},
          {"mode": "managed", "type": "aws_dynamodb_table", "name": "t", "instances": [{"index_key": 0, "attributes":
            {"name": "sessions", "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 0,
             "point_in_time_recovery": [{"enabled": true}], "ttl": [{"enabled": false, "attribute_name": ""}]}}]},
          {"mode": "data", "type": "aws_caller_identity", "name": "me", "instances": [{"attributes": {}}]}
        ]}
        """#

    @Test func addressesOfModulesCountAndForEach() throws {
        let state = try TerraformState(json: Self.state)
        #expect(state.instances.map(\.address) == [#"module.app.aws_cloudwatch_log_group.logs["api"]"#,
                                                   #"module.app.aws_cloudwatch_log_group.logs["worker"]"#,
                                                   "aws_dynamodb_table.t[0]"])
    }

    @Test func otherFormatVersionsAndNonJSONAreRefused() {
        #expect(throws: TerraformState.Problem.self) { try TerraformState(json: #"{"version": 3, "modules": []}"#) }
        #expect(throws: TerraformState.Problem.self) { try TerraformState(json: "not json") }
    }

    @Test func mappingsTurnAttributesIntoCloudFormationProperties() throws {
        let state = try TerraformState(json: Self.state)
        let logs = LogGroupKind.schema.terraform
        // Retention 0 is "never expire": the desired state says it as `RetentionInDays: null` (must be unset).
        #expect(logs.properties(from: state.instances[0].attributes) == ["RetentionInDays": .null])
        #expect(logs.properties(from: state.instances[1].attributes) == ["RetentionInDays": 14])
        #expect(logs.id(state.instances[1].attributes) == "/app/worker")
        let table = DynamoDBTableKind.schema.terraform.properties(from: state.instances[2].attributes)
        #expect(table == ["BillingMode": "PROVISIONED", "ProvisionedThroughput": ["ReadCapacityUnits": 5],
                          "PointInTimeRecoverySpecification": ["PointInTimeRecoveryEnabled": true],
                          "TimeToLiveSpecification": ["Enabled": false]])
        #expect(DynamoDBTableKind.schema.terraform.attribute(for: "/ProvisionedThroughput/ReadCapacityUnits")
            == "read_capacity")
    }

    @Test func everyKindMapsAProviderResourceAndOnlyPropertiesItsSchemaHas() {
        for kind in Kinds.builtIn.schemas.all {
            let mapping = kind.terraform
            #expect(mapping.resourceType.hasPrefix("aws_"))
            for property in mapping.properties {
                let top = String(property.path.split(separator: "/").first ?? "")
                #expect(kind.resource.properties[top] != nil, "\(kind.type): \(property.path)")
            }
        }
        let types = Kinds.builtIn.schemas.all.map { kind in kind.terraform.resourceType }
        #expect(Set(types).count == Kinds.builtIn.schemas.all.count)
    }
}
