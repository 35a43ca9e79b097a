import BallastAWS
import BallastCore
import BallastKinds

/// Resolves `ref: {stack, logicalId}` through CloudFormation: one
/// ListStackResources page chain per stack and region, cached for the run.
/// (DescribeStackResources would be one call, but it stops at 100 resources.)
struct StackResolver: Sendable {
    let client: @Sendable (String) -> AWSClient

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

    struct Stacks: Sendable {
        let stacks: [StackKey: Result<[String: Entry], Problem>]

        func physicalId(of resource: DesiredResource) -> Result<String, Problem> {
            switch resource.identity {
            case .id(let id): return .success(id)
            case .ref(let stack, let logicalId): return lookup(stack, logicalId, of: resource)
            }
        }

        func lookup(_ stack: String, _ logicalId: String, of resource: DesiredResource) -> Result<String, Problem> {
            guard let entries = stacks[StackKey(region: resource.region, stack: stack)] else {
                return .failure(Problem(reason: "stack \(stack) was not read"))
            }
            return entries.flatMap { entries in
                guard let entry = entries[logicalId] else {
                    return .failure(Problem(reason: "stack \(stack) has no resource with logical id \(logicalId)"))
                }
                guard entry.type == resource.type else {
                    return .failure(Problem(reason: "\(stack)/\(logicalId) is a \(entry.type), not a \(resource.type)"))
                }
                guard !entry.physicalId.isEmpty else {
                    return .failure(Problem(reason: "\(stack)/\(logicalId) has no physical id yet"))
                }
                return .success(KindRegistry.kind(for: entry.type)?.id(fromPhysicalId: entry.physicalId) ?? entry.physicalId)
            }
        }
    }

    func resolve(_ resources: [DesiredResource]) async -> Stacks {
        let keys = Set(resources.compactMap { resource -> StackKey? in
            guard case .ref(let stack, _) = resource.identity else { return nil }
            return StackKey(region: resource.region, stack: stack)
        })
        let client = client
        let read = await withTaskGroup(of: (StackKey, Result<[String: Entry], Problem>).self) { group in
            for key in keys {
                group.addTask { (key, await Self.read(key, client(key.region))) }
            }
            var read: [StackKey: Result<[String: Entry], Problem>] = [:]
            for await (key, result) in group { read[key] = result }
            return read
        }
        return Stacks(stacks: read)
    }

    static func read(_ key: StackKey, _ client: AWSClient) async -> Result<[String: Entry], Problem> {
        do {
            let pages = try await client.queryPages(.cloudFormation, "ListStackResources", ["StackName": key.stack])
            var entries: [String: Entry] = [:]
            for summary in pages.flatMap({ $0.child("StackResourceSummaries")?.children ?? [] }) {
                guard let logicalId = summary.child("LogicalResourceId")?.text else { continue }
                entries[logicalId] = Entry(physicalId: summary.child("PhysicalResourceId")?.text ?? "",
                                           type: summary.child("ResourceType")?.text ?? "")
            }
            return .success(entries)
        } catch let error as AWSError where error.code == "ValidationError" && error.message.contains("does not exist") {
            return .failure(Problem(reason: "CloudFormation stack \(key.stack) does not exist in \(key.region)"))
        } catch {
            return .failure(Problem(reason: "cannot read CloudFormation stack \(key.stack): \(error)"))
        }
    }
}
