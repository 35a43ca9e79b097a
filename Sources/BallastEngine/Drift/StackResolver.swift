import BallastCore
import FoundationEssentials

/// Resolves `ref: {stack, logicalId}` through CloudFormation: one
/// ListStackResources page chain per stack and region, cached for the run.
/// (DescribeStackResources would be one call, but it stops at 100 resources.)
/// `ref: {stack, output}` takes the id from the stack's outputs: one DescribeStacks per stack.
struct StackResolver: Sendable {
    let client: @Sendable (String) -> any AWSAPI
    /// A run's stack reads, shared with ownership: each stack is listed and described once a run.
    var stackReads = StackReads()

    struct StackKey: Hashable, Sendable {
        let region: String
        let stack: String
    }

    struct Entry: Sendable {
        let physicalId: String
        let type: String
    }

    struct Problem: Error {
        let reason: String
    }

    /// What DescribeStacks says of a stack: its ARN and its outputs.
    struct Description: Sendable {
        let stackId: String?
        let outputs: [String: String]
    }

    struct Stacks: Sendable {
        let stacks: [StackKey: Result<[String: Entry], Problem>]
        var outputs: [StackKey: Result<[String: String], Problem>] = [:]

        func physicalId(of resource: DesiredResource) -> Result<String, Problem> {
            switch resource.identity {
            case .id(let id): return .success(id)
            case .ref(let stack, let logicalId): return lookup(stack, logicalId, of: resource)
            case .output(let stack, let key): return output(stack, key, of: resource)
            }
        }

        func output(_ stack: String, _ key: String, of resource: DesiredResource) -> Result<String, Problem> {
            guard let outputs = outputs[StackKey(region: resource.region, stack: stack)] else {
                return .failure(Problem(reason: "stack \(stack) was not read"))
            }
            return outputs.flatMap { outputs in
                guard let value = outputs[key], !value.isEmpty else {
                    return .failure(Problem(reason: "stack \(stack) has no output \(key)"))
                }
                return .success(resource.kind?.schema.id(fromPhysicalId: value) ?? value)
            }
        }

        /// A custom resource's physical id is whatever its function returned: any declared type may name it.
        static func isCustom(_ type: String) -> Bool {
            type.hasPrefix("Custom::") || type == "AWS::CloudFormation::CustomResource"
        }

        func lookup(_ stack: String, _ logicalId: String, of resource: DesiredResource) -> Result<String, Problem> {
            guard let entries = stacks[StackKey(region: resource.region, stack: stack)] else {
                return .failure(Problem(reason: "stack \(stack) was not read"))
            }
            return entries.flatMap { entries in
                guard let entry = entries[logicalId] else {
                    return .failure(Problem(reason: "stack \(stack) has no resource with logical id \(logicalId)"))
                }
                guard entry.type == resource.type || Self.isCustom(entry.type) else {
                    return .failure(
                        Problem(reason: "\(stack)/\(logicalId) is a \(entry.type), not a \(resource.type)"))
                }
                guard !entry.physicalId.isEmpty else {
                    return .failure(Problem(reason: "\(stack)/\(logicalId) has no physical id yet"))
                }
                return .success(resource.kind?.schema.id(fromPhysicalId: entry.physicalId) ?? entry.physicalId)
            }
        }
    }

    func resolve(_ resources: [DesiredResource]) async -> Stacks {
        func keys(_ wanted: (ResourceIdentity) -> Bool) -> Set<StackKey> {
            Set(resources.compactMap { resource -> StackKey? in
                guard wanted(resource.identity), let stack = resource.identity.stack else { return nil }
                return StackKey(region: resource.region, stack: stack)
            })
        }
        let client = client
        let stackReads = stackReads
        async let logical = Self.each(keys { if case .ref = $0 { true } else { false } }) { key in
            await stackReads.entries(key, client: client(key.region))
        }
        async let outputs = Self.each(keys { if case .output = $0 { true } else { false } }) { key in
            await stackReads.description(key, client: client(key.region)).map(\.outputs)
        }
        return Stacks(stacks: await logical, outputs: await outputs)
    }

    /// `read` for every key at once.
    static func each<T: Sendable>(_ keys: Set<StackKey>,
                                  _ read: @escaping @Sendable (StackKey) async -> T) async -> [StackKey: T] {
        await withTaskGroup(of: (StackKey, T).self) { group in
            for key in keys { group.addTask { (key, await read(key)) } }
            var read: [StackKey: T] = [:]
            for await (key, result) in group { read[key] = result }
            return read
        }
    }

    /// DescribeStacks: the stack's ARN and outputs.
    static func describe(_ key: StackKey, _ client: any AWSAPI) async -> Result<Description, Problem> {
        do {
            let answer = try await client.query(.describeStacks, ["StackName": key.stack])
            let stack = answer.child("Stacks")?.children.first
            var outputs: [String: String] = [:]
            for output in stack?.child("Outputs")?.children ?? [] {
                guard let name = output.child("OutputKey")?.text else { continue }
                outputs[name] = output.child("OutputValue")?.text ?? ""
            }
            return .success(Description(stackId: stack?.child("StackId")?.text, outputs: outputs))
        } catch {
            return .failure(problem(error, key))
        }
    }

    static func problem(_ error: any Error, _ key: StackKey) -> Problem {
        if let error = error as? AWSError, error.code == "ValidationError", error.message.contains("does not exist") {
            return Problem(reason: "CloudFormation stack \(key.stack) does not exist in \(key.region)")
        }
        return Problem(reason: "cannot read CloudFormation stack \(key.stack): \(error)")
    }

    static func read(_ key: StackKey, _ client: any AWSAPI) async -> Result<[String: Entry], Problem> {
        do {
            let pages = try await client.queryPages(.listStackResources, ["StackName": key.stack])
            var entries: [String: Entry] = [:]
            for summary in pages.flatMap({ $0.child("StackResourceSummaries")?.children ?? [] }) {
                guard let logicalId = summary.child("LogicalResourceId")?.text else { continue }
                entries[logicalId] = Entry(physicalId: summary.child("PhysicalResourceId")?.text ?? "",
                                           type: summary.child("ResourceType")?.text ?? "")
            }
            return .success(entries)
        } catch {
            return .failure(problem(error, key))
        }
    }
}

/// The CloudFormation reads of one run, by stack: the resolver and ownership ask about the same
/// stacks at the same time, and each is listed and described once (a second asker waits for the first).
final class StackReads: @unchecked Sendable {
    typealias Listing = Result<[String: StackResolver.Entry], StackResolver.Problem>
    typealias Described = Result<StackResolver.Description, StackResolver.Problem>
    private let lock = Lock()
    private var listings: [StackResolver.StackKey: Task<Listing, Never>] = [:]
    private var descriptions: [StackResolver.StackKey: Task<Described, Never>] = [:]

    /// ListStackResources.
    func entries(_ key: StackResolver.StackKey, client: any AWSAPI) async -> Listing {
        await once(key, in: \.listings) { await StackResolver.read(key, client) }
    }

    /// DescribeStacks.
    func description(_ key: StackResolver.StackKey, client: any AWSAPI) async -> Described {
        await once(key, in: \.descriptions) { await StackResolver.describe(key, client) }
    }

    private typealias Tasks<T: Sendable> =
        ReferenceWritableKeyPath<StackReads, [StackResolver.StackKey: Task<T, Never>]>

    private func once<T: Sendable>(_ key: StackResolver.StackKey, in tasks: Tasks<T>,
                                   _ read: @escaping @Sendable () async -> T) async -> T {
        let task = lock.withLock { () -> Task<T, Never> in
            if let known = self[keyPath: tasks][key] { return known }
            let started = Task { await read() }
            self[keyPath: tasks][key] = started
            return started
        }
        return await task.value
    }
}
