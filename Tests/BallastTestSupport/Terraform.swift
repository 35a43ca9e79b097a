import Foundation

/// Real Terraform with the AWS provider from the machine's local mirror
/// (/opt/tf-plugins), pointed at a moto server: a working folder with its own CLI
/// configuration, so nothing is downloaded and nothing of the user's is used.
public final class TerraformWorkspace {
    public let path: String
    let environment: [String: String]

    /// The `terraform` binary, when this machine has one (tests that need it say so and skip).
    public static var binary: String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/terraform" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public static let mirror = ProcessInfo.processInfo.environment["BALLAST_TF_PLUGIN_MIRROR"] ?? "/opt/tf-plugins"

    public static var available: Bool {
        binary != nil && FileManager.default.fileExists(atPath: mirror + "/registry.terraform.io/hashicorp/aws")
    }

    /// The provider version in the mirror (the newest, if several).
    static var providerVersion: String {
        let folder = mirror + "/registry.terraform.io/hashicorp/aws"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().last ?? "5.100.0"
    }

    /// `resources` is HCL; the provider block (credentials and every endpoint at `moto`) is written here.
    public init(moto: MotoServer, resources: String) throws {
        path = NSTemporaryDirectory() + "ballast-terraform-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let config = """
            provider_installation {
              filesystem_mirror {
                path    = "\(Self.mirror)"
                include = ["registry.terraform.io/hashicorp/aws"]
              }
              direct { exclude = ["registry.terraform.io/hashicorp/aws"] }
            }
            """
        try config.write(toFile: path + "/cli.tfrc", atomically: true, encoding: .utf8)
        let endpoints = ["autoscaling", "cloudwatch", "dynamodb", "ec2", "iam", "logs", "sts", "cloudformation"]
            .map { "    \($0) = var.aws_endpoint" }.joined(separator: "\n")
        let main = """
            terraform {
              required_providers {
                aws = { source = "hashicorp/aws", version = "\(Self.providerVersion)" }
              }
            }
            # Every service at moto; `-var aws_endpoint=...` sends a run elsewhere (a counting proxy).
            variable "aws_endpoint" {
              default = "\(moto.endpoint)"
            }
            provider "aws" {
              region                      = "us-east-1"
              access_key                  = "\(moto.credentials.id)"
              secret_key                  = "\(moto.credentials.secret)"
              skip_credentials_validation = true
              skip_metadata_api_check     = true
              skip_requesting_account_id  = true
              endpoints {
            \(endpoints)
              }
            }

            """ + resources
        try main.write(toFile: path + "/main.tf", atomically: true, encoding: .utf8)
        var variables = ProcessInfo.processInfo.environment
        variables["TF_CLI_CONFIG_FILE"] = path + "/cli.tfrc"
        variables["TF_IN_AUTOMATION"] = "1"
        variables["CHECKPOINT_DISABLE"] = "1"
        environment = variables
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public var stateFile: String { path + "/terraform.tfstate" }

    /// Runs `terraform ARGS` in the workspace; throws with its output when it fails.
    @discardableResult
    public func run(_ arguments: [String]) throws -> String {
        let result = try Run.process(Self.binary ?? "terraform", arguments, cwd: path, environment: environment)
        guard result.status == 0 else {
            throw TestFailure("terraform \(arguments.joined(separator: " ")) failed (\(result.status)):\n"
                + String((result.stdout + result.stderr).suffix(4_000)))
        }
        return result.stdout
    }

    /// `terraform plan -refresh-only`, as JSON (`terraform show -json` of the saved plan); `endpoint`
    /// sends its calls elsewhere than moto (a counting proxy in front of it).
    public func refreshOnlyPlan(endpoint: String? = nil) throws -> String {
        try run(["plan", "-refresh-only", "-input=false", "-no-color", "-out=refresh.tfplan"]
            + (endpoint.map { ["-var", "aws_endpoint=\($0)"] } ?? []))
        return try run(["show", "-json", "refresh.tfplan"])
    }
}
