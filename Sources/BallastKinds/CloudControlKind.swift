import BallastCore
import FoundationEssentials

/// Any CloudFormation type no native kind covers, read and written through the Cloud Control API
/// with the type's own property names, and checked against the type's registry schema
/// (`schemas/AWS-Kinesis-Stream.json`, kept in the repository). A resource is named by its
/// primary identifier (parts joined with `|`, as Cloud Control joins them).
///
/// The cost: one `GetResource` per resource (Cloud Control has no batched read), and per write an
/// `UpdateResource` followed by `GetResourceRequestStatus` until the handler ends. A native kind
/// reads a type at its service's batch sizes, so a type with one always uses it.
public struct CloudControlKind: Sendable {
    // IAM authorizes Cloud Control's actions under `cloudformation:`, on no narrower resource than
    // `*` (the Service Authorization Reference for AWS Cloud Control API).
    static let getResource = APIOperation(.cloudControl, "GetResource", iamAction: "cloudformation:GetResource")
    static let listResources = APIOperation(.cloudControl, "ListResources", iamAction: "cloudformation:ListResources")
    /// Idempotent with its `ClientToken`: a retry of the same request is the same request to Cloud Control.
    static let updateResource = APIOperation(.cloudControl, "UpdateResource",
                                             iamAction: "cloudformation:UpdateResource")
    static let getResourceRequestStatus = APIOperation(.cloudControl, "GetResourceRequestStatus",
                                                       iamAction: "cloudformation:GetResourceRequestStatus")

    let registry: RegistrySchema

    init(_ registry: RegistrySchema) { self.registry = registry }

    /// UpdateResource is the one write a plan names; GetResourceRequestStatus follows it.
    var kind: AnyResourceKind {
        do {
            return try AnyResourceKind(schema: Self.schema(for: registry), read: read,
                                       writes: [Self.updateResource: { change, client, wait in
                                           try await apply(change, with: client, waitTimeout: wait)
                                       }],
                                       callsWithin: [Self.getResourceRequestStatus],
                                       list: list)
        } catch {
            preconditionFailure(error.description)
        }
    }

    /// The kind's schema: the registry schema's properties, a refusal at validation for what
    /// Cloud Control cannot change (read-only, create-only and write-only properties, a type with
    /// no update handler), and the handlers' permissions for `iam-policy`.
    public static func schema(for registry: RegistrySchema) -> KindSchema {
        let parts = registry.primaryIdentifier
        let idFormat = parts.count < 2 ? nil : StringFormat(parts.joined(separator: "|")) { id in
            let given = id.split(separator: "|", omittingEmptySubsequences: false)
            return given.count == parts.count && given.allSatisfy { !$0.isEmpty }
        }
        let resource = ResourceSchema(type: registry.typeName, properties: registry.properties, idFormat: idFormat) {
            refusals(of: $0, by: registry)
        }
        let operations: Set<APIOperation> = [getResource, listResources, updateResource, getResourceRequestStatus]
        let permissions = KindPermissions(
            read: [getResource], write: [updateResource, getResourceRequestStatus], unscoped: operations,
            handlers: (read: registry.handlers?["read"] ?? [], write: registry.handlers?["update"] ?? [])) { _, _, _ in
            "*"
        }
        return KindSchema(resource, permissions: permissions, terraform: TerraformMapping("", id: { _ in nil }, []),
                          via: .cloudControl,
                          plannedReads: { $0.isEmpty ? [:] : [getResource: $0.count] },
                          changes: { ChangeBuilder.single($0, updateResource) },
                          normalize: { live, _ in registry.ownable(live) })
    }

    /// What validation says of a resource Cloud Control cannot change as declared.
    static func refusals(of resource: DesiredResource, by registry: RegistrySchema) -> [Diagnostic] {
        guard registry.updatable else {
            return [Diagnostic(resource.source, "\(registry.typeName) cannot be updated through Cloud Control: "
                + "its registry schema (\(registry.file)) has no update handler")]
        }
        return resource.leaves.compactMap { leaf in
            registry.refusal(of: leaf.path).map { Diagnostic(resource.location(of: leaf.path), $0) }
        }
    }

    /// One GetResource per resource.
    func read(_ targets: [LiveTarget], with client: any AWSAPI) async -> [String: LiveRead] {
        await Reading.each(targets, missing: ["ResourceNotFoundException"]) { target in
            .found(try await properties(target.id, with: client))
        }
    }

    /// A resource's properties: GetResource's `ResourceDescription.Properties`, a JSON object in a string.
    func properties(_ id: String, with client: any AWSAPI) async throws -> [String: Value] {
        let answer = try await client.json(Self.getResource, .map([
            "TypeName": .string(registry.typeName), "Identifier": .string(id),
        ]))
        guard let text = answer["ResourceDescription"]?["Properties"]?.string,
              case .map(let properties)? = try? JSON.parse(text) else {
            throw AWSError(service: "cloudcontrolapi", operation: "GetResource", code: "MalformedAnswer",
                           message: "ResourceDescription.Properties is not a JSON object", status: 200, requestId: nil)
        }
        return properties
    }

    /// UpdateResource with a JSON Patch (RFC 6902) of only the owned paths, then the request
    /// followed until the handler says SUCCESS or FAILED, for at most `waitTimeout` seconds.
    func apply(_ change: PlannedChange, with client: any AWSAPI, waitTimeout: Double) async throws {
        let live = change.set.contains { $0.value.from == nil && PropertyPath.segments($0.key).count > 1 }
            ? try await properties(change.id, with: client) : nil
        let patch = Self.patch(change, live: live)
        var event = try await client.json(Self.updateResource, .map([
            "TypeName": .string(registry.typeName), "Identifier": .string(change.id),
            "PatchDocument": .string(JSON.encode(.list(patch))), "ClientToken": .string(UUID().uuidString),
        ]))["ProgressEvent"]
        let deadline = ContinuousClock.now + .seconds(waitTimeout)
        var pause = 0.5
        while true {
            let status = event?["OperationStatus"]?.string ?? "PENDING"
            let token = event?["RequestToken"]?.string ?? ""
            switch status {
            case "SUCCESS":
                return
            case "FAILED", "CANCEL_COMPLETE", "CANCEL_IN_PROGRESS":
                let code = event?["ErrorCode"]?.string ?? "no error code"
                let message = (event?["StatusMessage"]?.string).map { ": " + String($0.prefix(1_000)) } ?? ""
                throw WriteError("Cloud Control UpdateResource \(status) (\(code))\(message)")
            default:
                guard !token.isEmpty else {
                    throw WriteError("Cloud Control UpdateResource answered \(status) without a RequestToken")
                }
                guard ContinuousClock.now + .seconds(pause) <= deadline else {
                    throw WriteError("Cloud Control UpdateResource still \(status) after the \(Int(waitTimeout)) s "
                        + "wait timeout (request token \(token)); `aws cloudcontrol get-resource-request-status "
                        + "--request-token \(token)` follows it")
                }
                try await Task.sleep(for: .seconds(pause))
                pause = min(pause * 2, 10)
                event = try await client.json(Self.getResourceRequestStatus, .map([
                    "RequestToken": .string(token),
                ]))["ProgressEvent"]
            }
        }
    }

    /// One operation per owned path: `replace` where AWS has a value, `add` where it has none.
    /// A nested path whose parent object is missing adds the parent with only that field.
    static func patch(_ change: PlannedChange, live: [String: Value]?) -> [Value] {
        change.set.keys.sorted().map { path in
            let assignment = change.set[path]!
            var parts = PropertyPath.segments(path)
            guard assignment.from == nil else { return operation("replace", parts, assignment.to) }
            var value = assignment.to
            while parts.count > 1, let live,
                BallastCore.value(at: PropertyPath.join(parts.dropLast()), in: live) == nil {
                value = .map([parts.removeLast(): value])
            }
            return operation("add", parts, value)
        }
    }

    static func operation(_ op: String, _ parts: [String], _ value: Value) -> Value {
        .map(["op": .string(op), "path": .string(PropertyPath.join(parts)), "value": value])
    }

    /// ListResources of the type, every page (Cloud Control pages at the handler's size; ballast reads
    /// 1,000 pages at most, its own bound), the identifiers starting with `prefix`.
    func list(prefix: String, with client: any AWSAPI) async throws -> [String]? {
        let pages = try await client.jsonPages(Self.listResources, ["TypeName": .string(registry.typeName)],
                                               token: "NextToken", maxPages: 1_000)
        return pages.flatMap { $0["ResourceDescriptions"]?.list ?? [] }.compactMap { $0["Identifier"]?.string }
            .filter { $0.hasPrefix(prefix) }
    }
}
