import BallastCore
import Foundation

/// CloudTrail's event history for the tests: moto has no `LookupEvents`, so every write that reaches
/// moto or a stand-in through the front is recorded as CloudTrail records a management event (the caller's
/// identity by access key, its user agent, its request parameters, the resource it names), tests add
/// the events no request here made (a console user, CloudFormation, Terraform: `record`), and
/// `LookupEvents` is answered as botocore's model (cloudtrail 2013-11-01) and its API reference
/// describe it: JSON 1.1, one lookup attribute, `StartTime`/`EndTime`, at most 50 events a page with
/// `NextToken`, newest first, `CloudTrailEvent` a JSON document in a string. More than two lookups
/// in a second are throttled (`ThrottlingException`), as AWS limits them per account and region;
/// `deny` answers `AccessDeniedException`. Auto Scaling's `DescribeScalingActivities`, which moto
/// leaves empty, is answered from the same writes: a policy executed is an alarm's activity, a
/// capacity set by a call a user request's. Application Auto Scaling's `DescribeScalingActivities` lists
/// the activities a test records (`recordActivity`).
public final class CloudTrailStandIn: Sendable {
    struct Event: Sendable {
        var entry: [String: Value]
        var time: Date
        var resources: [String]
    }

    private let events = Locked<[Event]>([])
    private let identities = Locked<[String: (identity: Value, userAgent: String?)]>([:])
    private let lookups = Locked<[Date]>([])
    private let denied = Locked<Bool>(false)
    private let throttled = Locked<Int>(0)
    private let activities = Locked<[String: [[String: String]]]>([:])
    private let targetActivities = Locked<[String: [[String: Value]]]>([:])
    /// Who is handed the events recorded for some resources (every one's when `nil`).
    private let deliveries = Locked<[UUID: (resources: Set<String>?, put: @Sendable (Value) -> Void)]>([:])

    /// From now on each event recorded for one of `resources` is also handed to `put` as the CloudTrail
    /// record EventBridge delivers (its `detail`), as AWS hands every management event to the default
    /// bus. Scoped to a test's own resources: the stand-in serves every test at once. Returns the token
    /// `stopDelivering` takes.
    public func deliver(for resources: Set<String>, to put: @escaping @Sendable (Value) -> Void) -> UUID {
        let token = UUID()
        deliveries.update { $0[token] = (resources, put) }
        return token
    }

    /// Every event recorded from now on is handed to `put`, as `deliver(for:to:)` hands a test's: for the
    /// demo's emulator, which serves one story, not many tests.
    public func deliverEvery(to put: @escaping @Sendable (Value) -> Void) -> UUID {
        let token = UUID()
        deliveries.update { $0[token] = (nil, put) }
        return token
    }

    public func stopDelivering(_ token: UUID) { deliveries.update { $0[token] = nil } }

    /// An Application Auto Scaling activity of a scalable target (an alarm's policy moving an ECS
    /// service's desired count), as `DescribeScalingActivities` will list it, newest first.
    public func recordActivity(namespace: String, resourceId: String, dimension: String, cause: String) {
        let activity: [String: Value] = [
            "ActivityId": .string(UUID().uuidString.lowercased()), "ServiceNamespace": .string(namespace),
            "ResourceId": .string(resourceId), "ScalableDimension": .string(dimension), "Cause": .string(cause),
            "Description": "Setting desired count to 6.", "StartTime": .double(Date().timeIntervalSince1970),
            "StatusCode": "Successful",
        ]
        let key = namespace + " " + resourceId + " " + dimension
        targetActivities.update { $0[key, default: []].insert(activity, at: 0) }
    }

    /// Parameters that name the resource a write acts on, as CloudTrail's `Resources` name it.
    static let resourceKeys = ["AutoScalingGroupName", "logGroupName", "AlarmName", "AlarmNames.member.1", "TableName",
                               "FunctionName", "QueueUrl", "SecretId", "KeyId", "DBInstanceIdentifier", "Name",
                               "StreamName", "ReplicationGroupId", "ResourceId", "service", "TopicArn", "BudgetName"]

    /// Requests signed with `accessKey` are recorded as made by `identity` (a `userIdentity` document),
    /// and with `userAgent` when given (the demo's hand edits, made by the seeder, as the CLI's).
    public func identify(accessKey: String, as identity: Value, userAgent: String? = nil) {
        identities.update { $0[accessKey] = (identity, userAgent) }
    }

    /// The next lookups are refused (`AccessDeniedException`) while `on`.
    public func deny(_ on: Bool) { denied.update { $0 = on } }

    /// How many lookups were throttled so far.
    public var throttles: Int { throttled.current }

    /// An event no request here made, `at` a time (a console user's, CloudFormation's); its event id.
    @discardableResult
    public func record(name: String, source: String, resource: String, at time: Date, identity: Value,
                       userAgent: String, parameters: [String: Value]) -> String {
        let id = UUID().uuidString.lowercased()
        let document: [String: Value] = [
            "eventVersion": "1.09", "userIdentity": identity, "eventTime": .string(Timestamp.iso8601(time)),
            "eventSource": .string(source), "eventName": .string(name), "awsRegion": "us-east-1",
            "userAgent": .string(userAgent), "requestParameters": .map(parameters), "eventID": .string(id),
            "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
            "recipientAccountId": "123456789012",
        ]
        let entry: [String: Value] = [
            "EventId": .string(id), "EventName": .string(name), "ReadOnly": "false",
            "AccessKeyId": .string(identity["accessKeyId"]?.string ?? "AKIAEXAMPLE"),
            "EventTime": .double(time.timeIntervalSince1970), "EventSource": .string(source),
            "Username": .string(
                identity["userName"]?.string ?? identity["arn"]?.string?.split(separator: "/").last
                    .map(String.init) ?? ""),
            "Resources": [["ResourceName": .string(resource)]],
            "CloudTrailEvent": .string(JSON.encode(.map(document))),
        ]
        events.update { $0.append(Event(entry: entry, time: time, resources: [resource])) }
        for delivery in deliveries.current.values where delivery.resources?.contains(resource) ?? true {
            delivery.put(.map(document))
        }
        return id
    }

    /// Records a write passing through to moto, as CloudTrail would.
    func observe(_ request: LoopbackHTTPServer.Request) {
        let authorization = request.headers["authorization"] ?? ""
        guard let scope = authorization.range(of: "Credential=") else { return }
        let credential = authorization[scope.upperBound...].split(separator: ",").first ?? ""
        let parts = credential.split(separator: "/")
        guard parts.count >= 4 else { return }
        let (key, service) = (String(parts[0]), String(parts[3]))
        var parameters: [String: Value] = [:]
        var name = ""
        if let target = request.headers["x-amz-target"], case .map(let body)? = try? JSON.parse(request.body) {
            name = String(target.split(separator: ".").last ?? "")
            parameters = body
        } else if (request.headers["content-type"] ?? "").hasPrefix("application/x-www-form-urlencoded") {
            let form = AWSWire.form(request.body)
            name = form["Action"] ?? ""
            for (field, value) in form where field != "Action" && field != "Version" {
                parameters[field.prefix(1).lowercased() + field.dropFirst()] = .string(value)
            }
        }
        guard !name.isEmpty, !["Describe", "Get", "List", "Lookup"].contains(where: name.hasPrefix) else { return }
        let resources = Self.resourceKeys.compactMap { key -> String? in
            parameters[key.prefix(1).lowercased() + key.dropFirst()]?.string ?? parameters[key]?.string
                ?? parameters["NewBudget"]?[key]?.string ?? parameters["Budget"]?[key]?.string
        }
        guard let resource = resources.first else { return }
        let known = identities.current[key]
        let identity = known?.identity ?? ["type": "IAMUser", "userName": "ballast-tests",
                                           "arn": "arn:aws:iam::123456789012:user/ballast-tests",
                                           "accessKeyId": .string(key)]
        record(name: name, source: service + ".amazonaws.com", resource: resource, at: Date(), identity: identity,
               userAgent: known?.userAgent ?? request.headers["user-agent"] ?? "", parameters: parameters)
        if service == "autoscaling" { scaled(name, group: resource, parameters: parameters) }
    }

    /// The event history keeps nothing of `resource` (its events are older than 90 days, or were made
    /// before the trail's region logged them).
    public func forget(_ resource: String) {
        events.update { $0.removeAll { $0.resources.contains(resource) } }
    }

    /// An Auto Scaling activity for a capacity change, with the cause text AWS writes for it.
    func scaled(_ action: String, group: String, parameters: [String: Value]) {
        let now = Timestamp.iso8601(Date(), milliseconds: true)
        let cause: String
        switch action {
        case "ExecutePolicy":
            cause = "At \(now) a monitor alarm \(group)-high in state ALARM triggered policy "
                + "\(parameters["policyName"]?.string ?? "") changing the desired capacity."
        case "SetDesiredCapacity":
            cause = "At \(now) a user request explicitly set group desired capacity changing the desired capacity."
        case "UpdateAutoScalingGroup":
            cause = "At \(now) a user request update of AutoScalingGroup constraints changing the desired capacity."
        default: return
        }
        let activity = ["ActivityId": UUID().uuidString.lowercased(), "Cause": cause, "StartTime": now,
                        "StatusCode": "Successful", "Description": "Launching a new EC2 instance"]
        activities.update { $0[group, default: []].insert(activity, at: 0) }
    }

    func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply? {
        if request.headers["x-amz-target"] == "AnyScaleFrontendService.DescribeScalingActivities",
           case .map(let input)? = try? JSON.parse(request.body) {
            let key = [input["ServiceNamespace"], input["ResourceId"], input["ScalableDimension"]]
                .map { $0?.string ?? "" }.joined(separator: " ")
            let listed = (targetActivities.current[key] ?? []).prefix(input["MaxResults"]?.int ?? 50)
            return AWSWire.json("1.1", ["ScalingActivities": .list(listed.map(Value.map))])
        }
        if (request.headers["authorization"] ?? "").contains("/autoscaling/aws4_request"),
           AWSWire.form(request.body)["Action"] == "DescribeScalingActivities" {
            return scalingActivities(AWSWire.form(request.body))
        }
        guard request.headers["x-amz-target"] == "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"
        else { return nil }
        if denied.current {
            return Self.error("AccessDeniedException", "User is not authorized to perform: cloudtrail:LookupEvents")
        }
        let now = Date()
        let busy = lookups.update { times -> Bool in
            times = times.filter { now.timeIntervalSince($0) < 1 } + [now]
            return times.count > 2
        }
        if busy {
            throttled.update { $0 += 1 }
            return Self.error("ThrottlingException", "Rate exceeded")
        }
        guard case .map(let input)? = try? JSON.parse(request.body) else {
            return Self.error("InvalidLookupAttributesException", "the body is not a JSON object")
        }
        let attribute = input["LookupAttributes"]?.list?.first
        let start = input["StartTime"]?.number.map(Date.init(timeIntervalSince1970:)) ?? .distantPast
        let end = input["EndTime"]?.number.map(Date.init(timeIntervalSince1970:)) ?? .distantFuture
        let size = input["MaxResults"]?.int ?? 50
        guard (1...50).contains(size) else { return Self.error("InvalidMaxResultsException", "MaxResults is 1 to 50") }
        let matching = events.current.filter { event in
            guard event.time >= start, event.time <= end else { return false }
            switch attribute?["AttributeKey"]?.string {
            case "ResourceName"?: return event.resources.contains(attribute?["AttributeValue"]?.string ?? "")
            case "EventName"?: return event.entry["EventName"] == attribute?["AttributeValue"]
            case nil: return true
            default: return false
            }
        }.sorted { $0.time > $1.time }
        let offset = input["NextToken"]?.string.flatMap(Int.init) ?? 0
        let page = matching.dropFirst(offset).prefix(size)
        var answer: [String: Value] = ["Events": .list(page.map { .map($0.entry) })]
        if offset + page.count < matching.count { answer["NextToken"] = .string(String(offset + page.count)) }
        return AWSWire.json("1.1", answer)
    }

    func scalingActivities(_ form: [String: String]) -> LoopbackHTTPServer.Reply {
        let group = form["AutoScalingGroupName"] ?? ""
        let limit = Int(form["MaxRecords"] ?? "") ?? 100
        let members = (activities.current[group] ?? []).prefix(limit).map { activity in
            "<member>" + ["ActivityId", "Cause", "StartTime", "StatusCode", "Description"].map {
                "<\($0)>\(AWSWire.escaped(activity[$0] ?? ""))</\($0)>"
            }.joined() + "<AutoScalingGroupName>\(AWSWire.escaped(group))</AutoScalingGroupName><Progress>100"
                + "</Progress></member>"
        }.joined()
        let body = "<DescribeScalingActivitiesResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
            + "<DescribeScalingActivitiesResult><Activities>\(members)</Activities></DescribeScalingActivitiesResult>"
            + "<ResponseMetadata><RequestId>\(UUID().uuidString)</RequestId></ResponseMetadata>"
            + "</DescribeScalingActivitiesResponse>"
        return .response(status: 200, headers: ["Content-Type": "text/xml"], body: Array(body.utf8))
    }

    static func error(_ code: String, _ message: String) -> LoopbackHTTPServer.Reply {
        AWSWire.jsonError("1.1", code, message)
    }
}
