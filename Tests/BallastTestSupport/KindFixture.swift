import BallastAdapters
import BallastCore
import BallastDesiredState
import BallastEngine
import BallastKinds
import Foundation

/// One kind's fixture: the desired YAML, the live answers, and what the engine does with them:
/// the drift it reports, the changes it writes (with their outcomes), the drift after, and every
/// call it makes. Made from the emulator (`BALLAST_UPDATE_FIXTURES=1 swift test --filter
/// KindFixtureRecording`), replayed against `InMemoryAWS` (`KindFixtureTests`), no emulator needed.
public struct KindFixture: Sendable {
    public var type: String
    /// The file it is kept in, without `.json`: the type's name, or another for a variant.
    public var name: String
    /// The resource's line under `resources:`.
    public var desired: String
    /// The environment's `environment.yaml`.
    public var environment: String
    public var answers: [RecordingAWS.Entry]
    /// `{"drift", "changes", "after"}`: what `exercise` returned when the fixture was made.
    public var outcome: Value
    /// Each call as `InMemoryAWS.Call.json`, in the order made.
    public var calls: [Value]

    public init(type: String, name: String? = nil, desired: String, environment: String = Fixture.environment,
                answers: [RecordingAWS.Entry], outcome: Value, calls: [Value]) {
        self.type = type
        self.name = name ?? Self.fileName(type)
        self.desired = desired
        self.environment = environment
        self.answers = answers
        self.outcome = outcome
        self.calls = calls
    }

    /// Where a kind's fixture is kept: in the kind's folder, with the rest of its material
    /// (`Tests/BallastTestSupport/Kinds/LogGroup/fixture.json`).
    public static func path(of type: String) -> String { path(named: fileName(type)) }

    /// A kind's fixture by its type's file name (`AWS-Logs-LogGroup`), or another by its own (`lock-table`,
    /// ballast's own calls) in Tests/BallastEngineTests/Fixtures.
    static func path(named name: String) -> String {
        KindMaterial.all.first { fileName($0.type) == name }?.fixture ?? folder + "/" + name + ".json"
    }

    static func fileName(_ type: String) -> String { type.replacingOccurrences(of: "::", with: "-") }

    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BallastEngineTests/Fixtures").path

    /// The desired state's repository.
    public func repository() throws -> TempRepository {
        try TempRepository.desiredState(desired, environment: environment)
    }

    /// Apply (which reads, plans, writes and verifies), then drift again: the drift report's resources,
    /// each change with its outcome, and the resources as read after.
    /// The run's clock: fixed, so the load a capacity cut reads (`GetMetricData`'s window) is the same
    /// call each time.
    static let clock = Date(timeIntervalSince1970: 1_796_558_400)

    public static func exercise(_ repo: TempRepository, clients: @escaping AWSClients) async throws -> Value {
        let loaded = try DesiredStateLoader.builtIn.load(LoadRequest(repositoryPath: repo.path, revision: "HEAD"))
        let planned = Locked<Plan?>(nil)
        let run = ApplyRun(kinds: .builtIn, clients: clients, lockTables: DynamoDBLockTable.tables(clients),
                           gitDirectory: repo.path + "/.git", clock: { clock },
                           confirm: { _ in true },
                           events: { event in if case .planned(let plan) = event { planned.update { $0 = plan } } },
                           actor: "fixture")
        let result = await run.run(loaded, ApplyRequest())
        var outcome: [String: Value] = [:]
        if let plan = planned.current {
            outcome["drift"] = plan.report.json()["environments"]?.list?.first?["resources"] ?? .null
        }
        switch result {
        case .finished(let entry, _):
            outcome["changes"] = .list(entry.changes.map {
                ["change": $0.change.json, "outcome": .string($0.outcome.rawValue)]
            })
        default:
            outcome["result"] = .string("\(result)")
        }
        let detector = DriftDetector(kinds: .builtIn, clients: clients, lockTables: DynamoDBLockTable.tables(clients))
        let (after, _) = await detector.detect(loaded)
        outcome["after"] = after.json()["environments"]?.list?.first?["resources"] ?? .null
        return .map(outcome)
    }

    public var json: Value {
        ["type": .string(type), "name": .string(name), "desired": .string(desired),
         "environment": .string(environment),
         "answers": .list(answers.map { ["call": $0.call.json, "answer": $0.answer.json] }),
         "outcome": outcome, "calls": .list(calls)]
    }

    public init(json: Value) throws {
        guard let type = json["type"]?.string, let desired = json["desired"]?.string,
            let answers = json["answers"]?.list, let outcome = json["outcome"], let calls = json["calls"]?.list
        else {
            throw TestFailure("a kind fixture needs type, desired, answers, outcome and calls")
        }
        self.init(type: type, name: json["name"]?.string, desired: desired,
                  environment: json["environment"]?.string ?? Fixture.environment, answers: try answers.map { item in
            guard let call = item["call"], let name = call["call"]?.string, let service = call["service"]?.string,
                  let region = call["region"]?.string, let input = call["input"],
                  let answer = item["answer"].flatMap(InMemoryAWS.Answer.init(json:)),
                  let operation = APIOperation(recordedCall: name, service: service) else {
                throw TestFailure("a malformed answer in the \(type) fixture: \(JSON.encode(item))")
            }
            return RecordingAWS.Entry(call: InMemoryAWS.Call(operation: operation, region: region, input: input),
                                      answer: answer)
        }, outcome: outcome, calls: calls)
    }

    public static func read(_ type: String) throws -> KindFixture { try read(named: fileName(type)) }

    /// A fixture by its file's name (`lock-table`).
    public static func read(named name: String) throws -> KindFixture {
        try KindFixture(json: try JSON.parse(try String(contentsOfFile: path(named: name), encoding: .utf8)))
    }

    public func write() throws {
        let path = Self.path(named: name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try (JSON.encode(json, pretty: true) + "\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The lock table's item calls: their inputs carry the run's own times, ids and lock token.
    public static let ownItemCalls: Set<String> = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                                   "dynamodb:DeleteItem", "dynamodb:Scan"]

    /// An in-memory AWS that answers as the emulator did, in the same order; the lock table's item
    /// calls by operation (their inputs differ from run to run), every other call by its input.
    public func aws() -> InMemoryAWS {
        let aws = InMemoryAWS()
        for entry in answers {
            if Self.ownItemCalls.contains(entry.call.operation.call) {
                aws.answer(any: entry.call.operation, with: [entry.answer])
            } else {
                aws.answer(entry.call, with: [entry.answer])
            }
        }
        return aws
    }

    /// A call as fixtures compare it: a lock-table item call by its operation and table alone.
    public static func comparable(_ call: Value) -> String {
        guard let name = call["call"]?.string, ownItemCalls.contains(name) else { return JSON.encode(call) }
        return name + " " + (call["input"]?["TableName"]?.string ?? "")
    }
}

extension APIOperation {
    /// `logs:PutRetentionPolicy` with the service's signing name, back to the operation.
    init?(recordedCall call: String, service signingName: String) {
        guard let service = AWSService.all.first(where: { $0.signingName == signingName }),
              let name = call.split(separator: ":").last.map(String.init) else { return nil }
        self.init(service, name)
    }
}
