import ArgumentParser
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import FoundationEssentials

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write desired-state YAML for resources that exist, in sync the moment it is written.",
        discussion: """
            Adopts what another tool or a hand made: every property ballast owns, as it is, into \
            desired-state/<env>/<kind>.yaml (one file per kind; --out for one file), sorted, with a \
            comment naming the source. Resources the environment already declares are skipped. \
            Nothing is written over an existing file without --force.

              --from-terraform STATE   a Terraform state (v4): a path, or s3://bucket/key; \
            --address narrows it (a glob over addresses like module.app.aws_cloudwatch_log_group.*)
              --from-cloudformation STACK   the stack's resources of the kinds ballast knows, \
            written as ref: {stack, logicalId}
              --from-live --type TYPE --id GLOB   what is live now ("we changed it by hand during \
            the incident; make git the truth"); repeat --id for several

            Every resource is checked as `validate` checks it before anything is written: what the \
            desired state cannot hold (a value out of range, a log group that never expires, an id \
            imported twice) is skipped with the reason, and the rest is written.

            Exit codes: 0 written, 1 an error or a resource skipped because its values cannot be \
            written (types ballast has no kind for, and resources declared already, are only noted).

            EXAMPLES:
              ballast import --env prod --from-terraform terraform.tfstate
              ballast import --env prod --from-terraform s3://tf-state/prod/terraform.tfstate \\
                --address 'aws_cloudwatch_*'
              ballast import --env prod --from-cloudformation tolling-vision-prod
              ballast import --env prod --from-live --type AWS::AutoScaling::AutoScalingGroup \\
                --id tolling-vision-prod-asg
              ballast import --env prod --from-live --type AWS::Logs::LogGroup --id '/aws/lambda/vehicle-tracking-*'
            """)

    @Option(name: .long, help: ArgumentHelp("The environment to write into.", valueName: "name"))
    var env: String

    @Option(name: .long, help: ArgumentHelp("The git repository (default: the one around the current directory).",
                                            valueName: "path"))
    var repo: String?

    @Option(name: .long, help: ArgumentHelp("A Terraform state file: a path or s3://bucket/key.", valueName: "state"))
    var fromTerraform: String?

    @Option(name: .long, help: ArgumentHelp("Only Terraform addresses matching this glob.", valueName: "glob"))
    var address: String?

    @Option(name: .long, help: ArgumentHelp("A CloudFormation stack's resources, as refs.", valueName: "stack"))
    var fromCloudformation: String?

    @Flag(name: .long, help: "The live resources named by --type and --id.")
    var fromLive = false

    @Option(name: .long, help: ArgumentHelp("With --from-live: the CloudFormation type.", valueName: "type"))
    var type: String?

    @Option(name: .long, help: ArgumentHelp("With --from-live: a physical id, or a glob (* ? [...]) over the ids "
        + "of kinds "
        + "that can list (log groups, alarms, Auto Scaling groups, DynamoDB tables, EventBridge rules); "
        + "repeat for several.",
        valueName: "id"))
    var id: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write everything to this one file instead.", valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Overwrite files that exist.")
    var force = false

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    /// The build's kinds, or a loaded revision's (the types its registry schemas add are Cloud Control's).
    func importer(_ kinds: Kinds = builtInKinds) -> Importer { Importer(kinds: kinds) }

    func validate() throws {
        let sources = [fromTerraform != nil, fromCloudformation != nil, fromLive].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError(
                "give one source: --from-terraform STATE, --from-cloudformation STACK or --from-live")
        }
        if fromLive, type == nil || id.isEmpty { throw ValidationError("--from-live needs --type TYPE and --id ID") }
        if !fromLive, type != nil || !id.isEmpty { throw ValidationError("--type and --id go with --from-live") }
        if address != nil, fromTerraform == nil { throw ValidationError("--address goes with --from-terraform") }
        // Another CloudFormation type is read through Cloud Control once the repository has its schema.
        if let type, !importer().knownTypes.contains(type), !RegistrySchema.isTypeName(type) {
            throw ValidationError("ballast has no kind \(type); it knows "
                + importer().knownTypes.joined(separator: ", ") + ", and any AWS::Service::Resource type whose "
                + "schema `ballast schema fetch` has put in schemas/")
        }
    }

    func run() async throws {
        let loaded = try Failure.guarding {
            // The registry schema of the type named (or of every type), though no resource declares it yet.
            try RepositoryOptions.load(LoadRequest(repositoryPath: repo ?? FileManager.default.currentDirectoryPath,
                                                   worktree: true, environments: [env],
                                                   registryTypes: type.map { [$0] }))
        }
        guard let environment = loaded.state.environments.first(where: { $0.name == env }) else {
            // The folder is there but did not load: say why (file:line:column), not that it is missing.
            if loaded.availableEnvironments.contains(env) { try Failure.refuseMistakes(loaded) }
            Terminal.error("no environment \(env) in desired-state/ "
                + "(create desired-state/\(env)/environment.yaml first)")
            throw Failure.error
        }
        let importer = importer(loaded.kinds)
        // `--type` is looked up once, in the revision's kinds; the kind travels on from here.
        let kind = type.flatMap(loaded.kinds.kind(for:))
        if let type, kind == nil {
            Terminal.error("ballast has no kind \(type), and \(RegistrySchema.path(for: type)) is not in the "
                + "repository: `ballast schema fetch \(type)` writes it, and then Cloud Control reads the type")
            throw Failure.error
        }
        let setup = AWSSetup(debug: debug)
        let client = setup.client(region: environment.region)
        var result: ImportResult
        var source: String
        if let fromTerraform {
            let state = try await Failure.guarding {
                try await TerraformState.read(fromTerraform, relativeTo: FileManager.default.currentDirectoryPath,
                                              confined: false,
                                              client: client)
            }
            result = importer.fromTerraform(state, addressGlob: address)
            source = "Terraform state \(fromTerraform)"
        } else if let stack = fromCloudformation {
            result = try await Failure.guarding { try await importer.fromCloudFormation(stack, client: client) }
            source = "CloudFormation stack \(stack) (\(environment.region))"
        } else {
            var ids: [String] = []
            for pattern in id {
                ids += try await Failure.guarding {
                    do {
                        guard let kind else { throw LoadError("--id needs --type") }
                        return try await importer.ids(of: kind, matching: pattern, client: client)
                    } catch let error as LoadError {
                        throw error
                    } catch {
                        throw LoadError("cannot list \(type ?? "") to match \(pattern): \(error)")
                    }
                }
            }
            let wanted =
                kind.map { kind in
                    Array(Set(ids)).sorted().map {
                        ImportTarget(kind: kind, identity: .id($0), physicalId: $0, origin: $0)
                    }
                } ?? []
            result = await importer.fromLive(wanted, client: client)
            source = "live values (\(environment.region))"
        }
        // A resource is read in the environment's region: declared already when that key is.
        let declared = Set(environment.resources.map(\.key))
        let key = { (resource: ImportedResource) in resource.key(environment: env, region: environment.region) }
        let undeclared = result.resources.filter { !declared.contains(key($0)) }
        var alreadyDeclared: [String] = []
        for resource in result.resources where declared.contains(key(resource)) {
            alreadyDeclared.append("\(resource.origin): \(resource.type) \(resource.identity) is declared already")
        }
        let writer = ImportWriter(environmentFolder: loaded.repositoryRoot + "/desired-state/\(env)", source: source)
        // Every resource as validate checks it: what the desired state cannot hold is not written.
        let check = ImportCheck(undeclared, environment: env, region: environment.region, writer: writer,
                                loader: DesiredStateLoader(kinds: loaded.kinds))
        // Types ballast has no kind for are not its to import (a note); a resource of its kinds
        // whose values the desired state cannot hold is a failure to import what was asked (exit 1).
        let unexpressed = check.skipped
        for skipped in result.skipped + unexpressed + alreadyDeclared { Terminal.note("skipped " + skipped) }
        let fresh = check.kept
        guard !fresh.isEmpty else {
            Terminal.error("nothing to import from \(source)")
            throw Failure.error
        }
        let files = writer.files(fresh, out: out)
        try Failure.guarding { try writer.write(files, force: force) }
        for file in files { Terminal.note("wrote \(file.path)") }
        Terminal.note("imported \(fresh.count) resource\(fresh.count == 1 ? "" : "s"); "
            + "check with `ballast drift --env \(env)`")
        if !unexpressed.isEmpty {
            Terminal.error("\(unexpressed.count) resource(s) skipped (above): they are not in the files written")
            throw Failure.error
        }
    }
}
