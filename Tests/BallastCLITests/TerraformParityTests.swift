import BallastAWS
import BallastCore
import BallastKinds
import BallastTestSupport
import Foundation
import Testing

/// Side by side with real Terraform on moto: what `terraform apply` made is imported
/// with `ballast import --from-terraform`, in sync at once; after changes out of band,
/// `terraform plan -refresh-only` and `ballast drift` find the same drifted
/// (resource, property) pairs among the properties ballast owns.
@Suite(.enabled(if: TerraformWorkspace.available,
                "terraform and the AWS provider mirror (/opt/tf-plugins) are not on this machine"))
struct TerraformParityTests {
    static func hcl(_ name: String) -> String {
        """
        resource "aws_cloudwatch_log_group" "app" {
          name              = "/tf/\(name)/app"
          retention_in_days = 30
        }
        resource "aws_cloudwatch_log_group" "audit" {
          name              = "/tf/\(name)/audit"
          retention_in_days = 365
        }
        resource "aws_cloudwatch_metric_alarm" "errors" {
          alarm_name          = "\(name)-errors"
          alarm_description   = "Pages on-call"
          namespace           = "AWS/Lambda"
          metric_name         = "Errors"
          dimensions          = { FunctionName = "\(name)-api" }
          statistic           = "Sum"
          period              = 60
          evaluation_periods  = 1
          threshold           = 5
          comparison_operator = "GreaterThanThreshold"
          treat_missing_data  = "notBreaching"
        }
        resource "aws_dynamodb_table" "sessions" {
          name           = "\(name)-sessions"
          billing_mode   = "PROVISIONED"
          read_capacity  = 5
          write_capacity = 5
          hash_key       = "id"
          attribute {
            name = "id"
            type = "S"
          }
        }
        resource "aws_launch_template" "web" {
          name          = "\(name)-web"
          image_id      = "ami-12c6146b"
          instance_type = "t3.micro"
        }
        resource "aws_autoscaling_group" "web" {
          name               = "\(name)-web"
          min_size           = 1
          max_size           = 4
          desired_capacity   = 2
          availability_zones = ["us-east-1a"]
          launch_template {
            id      = aws_launch_template.web.id
            version = "$Latest"
          }
        }
        """
    }

    /// (type id, property path) pairs Terraform's refresh-only plan finds, for the mapped attributes.
    static func terraformDrift(_ plan: String) throws -> Set<String> {
        var pairs: Set<String> = []
        for drift in try JSON.parse(plan)["resource_drift"]?.list ?? [] {
            guard let type = drift["type"]?.string,
                  let kind = Kinds.builtIn.schemas.kind(terraformType: type),
                  case .map(let before)? = drift["change"]?["before"],
                  case .map(let after)? = drift["change"]?["after"],
                  let id = kind.terraform.id(after) else { continue }
            for property in kind.terraform.properties {
                let was = TerraformMapping.attribute(property.attribute, in: before).flatMap(property.convert)
                let now = TerraformMapping.attribute(property.attribute, in: after).flatMap(property.convert)
                if !Self.sameNumber(was, now) { pairs.insert("\(kind.type) \(id) \(property.path)") }
            }
        }
        return pairs
    }

    /// Numbers by value; an empty list and none are the same (moto leaves empty action lists out, and the
    /// provider then reads null where it wrote []: both mean "no actions", as on AWS).
    static func sameNumber(_ a: Value?, _ b: Value?) -> Bool {
        if let x = a?.number, let y = b?.number { return x == y }
        let empty = { (value: Value?) in value == nil || value == .list([]) }
        if empty(a) && empty(b) { return true }
        return a == b
    }

    @Test func importThenDriftOutOfBandAndBothToolsFindTheSamePairs() async throws {
        let name = uniqueName("tf")
        let terraform = try TerraformWorkspace(moto: MotoServer.shared, resources: Self.hcl(name))
        try terraform.run(["init", "-input=false", "-no-color"])
        try terraform.run(["apply", "-auto-approve", "-input=false", "-no-color"])

        let repo = try TempRepository()
        // The state as a Terraform repository keeps it beside the desired state: a path inside it.
        try FileManager.default.createDirectory(atPath: repo.path + "/terraform", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: terraform.stateFile,
                                         toPath: repo.path + "/terraform/terraform.tfstate")
        try repo.commit(["desired-state/test/environment.yaml":
                            "region: us-east-1\nterraform:\n  states: [terraform/terraform.tfstate]\n"],
                                message: "environment")
        let imported = try repo.ballast(["import", "--env", "test", "--from-terraform", terraform.stateFile])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("imported 5 resources"), "\(imported.stderr)")
        #expect(
            imported.stderr.contains("skipped aws_launch_template.web: no kind of ballast's maps aws_launch_template"))
        #expect(try repo.ballast(["validate", "--worktree"]).status == 0)
        try repo.commit(message: "import from terraform")
        let fresh = try repo.ballast(["drift", "--output", "json"])
        #expect(fresh.status == 0, "in sync the moment it is written:\n\(fresh.stdout)\(fresh.stderr)")
        let asImported = try JSON.parse(fresh.stdout)
        let owners = (asImported["environments"]?[0]?["resources"]?.list ?? [])
            .compactMap { $0["managedBy"]?["address"]?.string }
        #expect(Set(owners) == ["aws_cloudwatch_log_group.app", "aws_cloudwatch_log_group.audit",
                                "aws_cloudwatch_metric_alarm.errors", "aws_dynamodb_table.sessions",
                                "aws_autoscaling_group.web"], "\(owners)")

        // Out of band, as during an incident.
        let aws = seeder().client
        _ = try await aws.json(.logs, "PutRetentionPolicy", ["logGroupName": .string("/tf/\(name)/app"),
            "retentionInDays": 7])
        _ = try await aws.query(.cloudWatch, "PutMetricAlarm", [
            "AlarmName": "\(name)-errors", "AlarmDescription": "Pages on-call", "Namespace": "AWS/Lambda",
            "MetricName": "Errors", "Dimensions.member.1.Name": "FunctionName",
                "Dimensions.member.1.Value": "\(name)-api",
            "Statistic": "Sum", "Period": "60", "EvaluationPeriods": "1", "Threshold": "50",
            "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
        ])
        _ = try await aws.json(.dynamodb, "UpdateTable", ["TableName": .string("\(name)-sessions"),
                                                           "ProvisionedThroughput": ["ReadCapacityUnits": 10,
                                                               "WriteCapacityUnits": 5]])
        _ = try await aws.query(.autoScaling, "UpdateAutoScalingGroup", ["AutoScalingGroupName": "\(name)-web",
            "DesiredCapacity": "3"])

        let theirs = try Self.terraformDrift(terraform.refreshOnlyPlan())
        let drift = try repo.ballast(["drift", "--output", "json"])
        #expect(drift.status == 2, "\(drift.stderr)")
        var ours: Set<String> = []
        for resource in try JSON.parse(drift.stdout)["environments"]?[0]?["resources"]?.list ?? [] {
            for difference in resource["differences"]?.list ?? [] {
                let (type, id) = (resource["type"]?.string ?? "", resource["id"]?.string ?? "")
                ours.insert("\(type) \(id) \(difference["path"]?.string ?? "")")
            }
        }
        let expected: Set<String> = [
            "AWS::Logs::LogGroup /tf/\(name)/app /RetentionInDays",
            "AWS::CloudWatch::Alarm \(name)-errors /Threshold",
            "AWS::DynamoDB::Table \(name)-sessions /ProvisionedThroughput/ReadCapacityUnits",
            "AWS::AutoScaling::AutoScalingGroup \(name)-web /DesiredCapacity",
        ]
        #expect(ours == expected, "ballast: \(ours.sorted())")
        #expect(theirs == ours, "terraform: \(theirs.sorted())\nballast: \(ours.sorted())")

        // A plan that writes what Terraform sets says so, and where to change it instead.
        let plan = try repo.ballast(["plan"])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("Another tool manages these (its next apply undoes the write):"))
        #expect(plan.stdout.contains("AWS::Logs::LogGroup /tf/\(name)/app: Terraform (aws_cloudwatch_log_group.app in "
            + "terraform/terraform.tfstate) also sets retention_in_days; its next apply undoes this."),
                "\(plan.stdout)")
        #expect(plan.stdout.contains("lifecycle { ignore_changes = [retention_in_days] }"))

        // A team that wants Terraform to stay the only writer says so in a change policy.
        try repo.commit(["policies/terraform.yaml": """
            policies:
              - id: terraform-owns-its-resources
                severity: deny
                on: change
                assert: resource.managedBy.tool != "terraform"
                message: Change this in Terraform, not with ballast
            """], message: "terraform owns its resources")
        let denied = try repo.ballast(["plan"])
        #expect(denied.status == 3, "\(denied.stdout)\(denied.stderr)")
        #expect(denied.stdout.contains("terraform-owns-its-resources  AWS::Logs::LogGroup /tf/\(name)/app"),
            "\(denied.stdout)")
    }
}

/// A Terraform state kept in S3 (the usual backend) is read with ballast's own client.
@Suite struct TerraformStateInS3Tests {
    @Test func ownershipFromAStateInS3() async throws {
        let bucket = uniqueName("tf-state"), group = "/ballast/" + uniqueName("s3-owned")
        try await seeder().create("AWS::S3::Bucket", id: bucket, [:])
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 30])
        let state = #"{"version": 4, "resources": [{"mode": "managed", "type": "aws_cloudwatch_log_group", "name": "app", "#
            + #""instances": [{"attributes": {"name": "\#(group)", "retention_in_days": 30}}]}]}"#
        _ = try await seeder().client.send(
            .rest(
                .s3, "PutObject", method: "PUT",
                segments: [
                    bucket, "prod",
                    "terraform.tfstate",
                ],
                query: [], xmlBody: state))
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::Logs::LogGroup, id: \(group), "
                + "properties: {RetentionInDays: 30}}\n",
            environment:
                "region: us-east-1\nterraform:\n  states: [\"s3://\(bucket)/prod/terraform.tfstate\", "
                    + "missing.tfstate]\n"
        )
        let drift = try repo.ballast(["drift", "--output", "json"])
        #expect(drift.status == 0, "\(drift.stderr)")
        let resource = try JSON.parse(drift.stdout)["environments"]?[0]?["resources"]?[0]
        #expect(resource?["managedBy"] == ["tool": "terraform", "address": "aws_cloudwatch_log_group.app",
                                           "state": .string("s3://\(bucket)/prod/terraform.tfstate")])
        // A state that cannot be read is a warning, never a changed status.
        #expect(drift.stderr.contains(
            "cannot read the Terraform state missing.tfstate: No such file or directory (environment test)"),
            "\(drift.stderr)")
        #expect(try JSON.parse(drift.stdout)["warnings"]?.list?.count == 1)
    }
}
