import ArgumentParser
import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import FoundationEssentials

struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Keep CloudFormation registry schemas in the repository, for types read through Cloud Control.",
        subcommands: [SchemaFetchCommand.self])
}

struct SchemaFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch types' schemas from CloudFormation's registry into schemas/, to commit.",
        discussion: """
            A CloudFormation type with no native kind in ballast is read and written through the \
            Cloud Control API, checked against the type's registry schema. This command asks the \
            registry (cloudformation:DescribeType) for each type's schema and writes it to \
            schemas/<Type with :: as ->.json in the working tree, replacing an older copy. Commit it: \
            validate and CI then need no AWS access for the type. A type with a native kind keeps \
            it; its schema is written but not used.

            EXAMPLES:
              ballast schema fetch AWS::Kinesis::Stream
              ballast schema fetch AWS::Events::Archive AWS::Logs::MetricFilter --region eu-west-1
            """)

    @Argument(help: ArgumentHelp("CloudFormation resource types, like AWS::Kinesis::Stream.", valueName: "type"))
    var types: [String]

    @Option(name: .long, help: ArgumentHelp("The git repository (default: the one around the current directory).",
                                            valueName: "path"))
    var repo: String?

    @Option(name: .long, help: ArgumentHelp("The region whose registry is asked (default: AWS_REGION, "
        + "AWS_DEFAULT_REGION, the profile's region, us-east-1).", valueName: "name"))
    var region: String?

    @Flag(name: .long, help: "Log each AWS request (credentials redacted) on stderr.")
    var debug = false

    func validate() throws {
        for type in types where !RegistrySchema.isTypeName(type) {
            throw ValidationError("\(UntrustedText.line(type)) is not a CloudFormation type name like "
                + "AWS::Kinesis::Stream")
        }
    }

    func run() async throws {
        let root = try Failure.guarding {
            do { return try SchemaFetch.workingTree(around: repo ?? FileManager.default.currentDirectoryPath) } catch {
                throw LoadError("\(error)")
            }
        }
        let setup = AWSSetup(debug: debug)
        let client = setup.client(region: setup.region(flag: region)?.name ?? "us-east-1")
        var failed = 0
        for type in Array(Set(types)).sorted() {
            do {
                let fetched = try await SchemaFetch.fetch(type, client: client)
                let path = try SchemaFetch.write(fetched, root: root)
                let native = builtInKinds.schemas[type: type] != nil
                let provisioning = fetched.provisioningType.isEmpty ? "provisioning type not given"
                    : fetched.provisioningType
                Terminal.out("wrote \(path) (\(provisioning))"
                    + (native ? "; \(type) has a native kind, which ballast uses" : ""))
                if !fetched.schema.updatable {
                    Terminal.note("\(type) has no update handler: Cloud Control cannot update it, so validate "
                        + "refuses resources of it")
                }
            } catch {
                failed += 1
                Terminal.error("\(type): \(error)")
            }
        }
        if failed > 0 { throw Failure.error }
    }
}
