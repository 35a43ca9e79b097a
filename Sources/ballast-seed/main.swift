import BallastAWS
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import BallastTestSupport
import BallastYAML
import Foundation

// ballast-seed REPO [--env NAME] [--incident FILE]
// ballast-seed --serve
//
// Creates an environment's resources in a local AWS emulator with their
// desired values, then the edits an incident file lists (live values someone
// changed by hand, resources someone deleted). For the demo and benchmarks;
// it refuses any endpoint that is not on this machine.
//
// --serve starts that emulator: moto with the tests' stand-ins in front for what moto lacks
// (UpdateBudget, ElastiCache's writes, ...; README, Tested against), prints its endpoint and
// runs until it is killed.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("ballast-seed: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--serve"] {
    do {
        let server = try MotoServer(authenticated: false)
        // The demo's incident is seeded with this key: CloudTrail's history names an on-call engineer's
        // role session and the CLI, as `drift --explain` would find them on AWS.
        server.standIns.cloudTrail.identify(accessKey: "ASIADEMOONCALLALICE", as: [
            "type": "AssumedRole", "principalId": "AROADEMOONCALL:alice",
            "arn": "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice", "accountId": "123456789012",
            "sessionContext": ["sessionIssuer": ["type": "Role", "userName": "OpsOnCall",
                                                 "arn": "arn:aws:iam::123456789012:role/OpsOnCall"]],
        ], userAgent: "aws-cli/2.22.4 Python/3.12.6 Linux/6.1.0 exe/x86_64.debian.12 prompt/off")
        // As AWS hands every management event CloudTrail records to EventBridge's default bus, every write
        // made here is put on the emulator's bus (a rule of `ballast events template` sends it on to a queue).
        let bus = AWSSetup(environment: [
            "AWS_ENDPOINT_URL": server.endpoint, "AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo",
        ])
        _ = server.standIns.cloudTrail.deliverEvery { detail in
            let region = detail["awsRegion"]?.string ?? "us-east-1"
            let service = detail["eventSource"]?.string?.split(separator: ".").first.map(String.init) ?? "aws"
            Task {
                _ = try? await bus.client(region: region).json(.events, "PutEvents", ["Entries": [[
                    "Source": .string("aws." + service), "DetailType": "AWS API Call via CloudTrail",
                    "Detail": .string(JSON.encode(detail)),
                ]]])
            }
        }
        FileHandle.standardOutput.write(Data((server.endpoint + "\n").utf8))
        while true { try await Task.sleep(for: .seconds(3_600)) }
    } catch { fail("cannot start the emulator: \(error)") }
}
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let environments = option("--env").map { [$0] } ?? []
let incidentFile = option("--incident")
guard let repository = arguments.first, !repository.hasPrefix("--") else {
    fail("usage: ballast-seed REPO [--env NAME] [--incident FILE]")
}

let environment = ProcessInfo.processInfo.environment
guard let endpoint = environment["AWS_ENDPOINT_URL"],
    endpoint.contains("://127.0.0.1:") || endpoint.contains("://localhost:")
else {
    fail("AWS_ENDPOINT_URL must point at a local emulator (http://127.0.0.1:PORT)")
}

/// `edits: [{id, set: {Property: value}}, {id, delete: true}]`.
func incident(_ path: String) -> (overrides: [String: [String: Value]], skip: Set<String>) {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    let (documents, diagnostics) = YAML.parse(text, file: path)
    if let first = diagnostics.first { fail(first.description) }
    var overrides: [String: [String: Value]] = [:]
    var skip: Set<String> = []
    for edit in documents.first?["edits"]?.items ?? [] {
        guard let id = edit["id"]?.scalar?.string else { fail("\(edit.location): an edit needs an id") }
        if edit["delete"]?.scalar == .bool(true) { skip.insert(id) }
        if case .map(let set)? = edit["set"]?.value { overrides[id] = set }
    }
    return (overrides, skip)
}

let loaded: LoadedState
do {
    loaded = try DesiredStateLoader(kinds: Kinds.builtIn)
        .load(LoadRequest(repositoryPath: repository, environments: environments))
} catch { fail("\(error)") }
if let mistake = loaded.diagnostics.first { fail(mistake.description) }
let edits: (overrides: [String: [String: Value]], skip: Set<String>) = incidentFile.map(incident) ?? ([:], [])
let setup = AWSSetup(environment: environment)
for env in loaded.state.environments {
    let seeder = LiveSeeder(client: setup.client(region: env.region))
    do {
        try await seeder.seed(DesiredState(environments: [env]), overrides: edits.overrides, skip: edits.skip)
    } catch { fail("seeding \(env.name): \(error)") }
    print(
        "seeded \(env.name): \(env.resources.count - edits.skip.count) resources, \(edits.overrides.count) "
            + "incident edits"
    )
}
