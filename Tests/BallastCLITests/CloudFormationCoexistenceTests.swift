import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// A CloudFormation stack in moto: imported as refs, owned, drifted out of band and
/// reported with the stack's own ids; a plan that writes what the template sets says so.
@Suite struct CloudFormationCoexistenceTests {
    @Test func aStackIsImportedAsRefsAndItsDriftCarriesTheStackId() async throws {
        let stack = uniqueName("cfn"), group = "/cfn/" + uniqueName("app"), table = uniqueName("cfn-table")
        let template = #"""
            {"Resources": {
              "AppLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "\#(group)", "RetentionInDays": 30}},
              "Sessions": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "\#(table)",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}},
              "Topic": {"Type": "AWS::SNS::Topic"}}}
            """#
        let created = try await seeder().client.query(.cloudFormation, "CreateStack", ["StackName": stack,
            "TemplateBody": template])
        let stackId = try #require(created.child("StackId")?.text)
        let repo = try TempRepository()
        try repo.commit(["desired-state/test/environment.yaml": "region: us-east-1\n"], message: "environment")

        let imported = try repo.ballast(["import", "--env", "test", "--from-cloudformation", stack])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("skipped \(stack)/Topic: ballast has no kind AWS::SNS::Topic"))
        let logs = try String(contentsOfFile: repo.path + "/desired-state/test/logs-log-group.yaml", encoding: .utf8)
        #expect(
            logs.contains(
                "    ref: {stack: \"\(stack)\", logicalId: \"AppLogs\"}\n    properties:\n      RetentionInDays: 30\n")
        )
        try repo.commit(message: "import the stack")
        let fresh = try repo.ballast(["drift"])
        #expect(fresh.status == 0, "in sync the moment it is written: \(fresh.stdout)\(fresh.stderr)")

        _ = try await seeder().client.json(.logs, "PutRetentionPolicy", ["logGroupName": .string(group),
            "retentionInDays": 7])
        let cfn = try repo.ballast(["drift", "--stack", stack, "--output", "cfn"])
        #expect(cfn.status == 2, "\(cfn.stderr)")
        let drifts = try JSON.parse(cfn.stdout)["StackResourceDrifts"]?.list ?? []
        #expect(drifts.count == 2)
        let modified = try #require(drifts.first { $0["StackResourceDriftStatus"] == "MODIFIED" })
        #expect(modified["StackId"] == .string(stackId))
        #expect(modified["LogicalResourceId"] == "AppLogs")
        #expect(modified["PhysicalResourceId"] == .string(group))

        let json = try JSON.parse(try repo.ballast(["drift", "--output", "json"]).stdout)
        let owners = (json["environments"]?[0]?["resources"]?.list ?? []).compactMap { $0["managedBy"] }
        #expect(owners.contains(["tool": "cloudformation", "stack": .string(stack), "logicalId": "AppLogs",
            "stackId": .string(stackId)]))

        let plan = try repo.ballast(["plan"])
        #expect(plan.status == 2)
        #expect(
            plan.stdout.contains(
                "AWS::Logs::LogGroup \(group): CloudFormation stack \(stack) sets AppLogs.RetentionInDays "
                    + "in its template; its next update undoes this."), "\(plan.stdout)")
        #expect(
            try repo.ballast(["drift", "--stack", "no-such-stack"]).stderr
                .contains("no desired resource is managed by CloudFormation stack no-such-stack"))
    }

    @Test func aResourceNamedByIdIsOwnedByAStackTheEnvironmentNames() async throws {
        let stack = uniqueName("cfn-owner"), group = "/cfn/" + uniqueName("owned")
        let template = #"{"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "\#(group)"}}}}"#
        _ = try await seeder().client.query(.cloudFormation, "CreateStack", ["StackName": stack,
            "TemplateBody": template])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n",
                                                   environment: "region: us-east-1\ncloudformation:\n  stacks: "
                                                       + "[\(stack)]\n")
        let drift = try repo.ballast(["drift", "--output", "json"])
        let resource = try JSON.parse(drift.stdout)["environments"]?[0]?["resources"]?[0]
        #expect(resource?["managedBy"]?["stack"] == .string(stack))
        #expect(resource?["managedBy"]?["logicalId"] == "Logs")
        // The template does not set RetentionInDays: ballast may own it without a conflict.
        let plan = try repo.ballast(["plan"])
        #expect(plan.status == 2 && !plan.stdout.contains("Another tool manages these"), "\(plan.stdout)")
        let text = try repo.ballast(["drift"])
        #expect(text.stdout.contains("[cloudformation \(stack)/Logs]"), "\(text.stdout)")
    }

    /// A resource reached through a stack output is the stack resource whose physical id the
    /// output names: its logical id is reported, and a write to a property the template sets is
    /// warned about as for a `logicalId` ref (the template sets RetentionInDays: 7; ballast wants 30).
    @Test func aResourceReachedThroughAnOutputIsItsStackResource() async throws {
        let stack = uniqueName("cfn-output"), group = "/cfn/" + uniqueName("by-output")
        let template = #"""
            {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup",
                                    "Properties": {"LogGroupName": "\#(group)", "RetentionInDays": 7}}},
             "Outputs": {"LogGroupName": {"Value": {"Ref": "Logs"}}}}
            """#
        _ = try await seeder().client.query(.cloudFormation, "CreateStack", ["StackName": stack,
            "TemplateBody": template])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, ref: {stack: \(stack), output: LogGroupName}, "
                + "properties: {RetentionInDays: 30}}\n")
        let drift = try repo.ballast(["drift", "--output", "json"])
        let resource = try JSON.parse(drift.stdout)["environments"]?[0]?["resources"]?[0]
        #expect(resource?["id"] == .string(group), "\(drift.stdout)\(drift.stderr)")
        #expect(resource?["managedBy"]?["logicalId"] == "Logs", "\(drift.stdout)")
        let plan = try repo.ballast(["plan"])
        #expect(plan.status == 2 && plan.stdout.contains("CloudFormation stack \(stack) sets Logs.RetentionInDays "
            + "in its template; its next update undoes this."), "\(plan.stdout)")
    }
}
