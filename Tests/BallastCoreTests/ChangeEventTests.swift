@testable import BallastCore
import BallastDesiredState
import BallastKinds
import Foundation
import Testing

/// An EventBridge message read as untrusted input, and the declared resource it names.
@Suite struct ChangeEventTests {
    /// The shape EventBridge delivers ("AWS API Call via CloudTrail", the EventBridge User Guide's
    /// example), with `detail` a CloudTrail record.
    static func message(source: String = "logs.amazonaws.com", name: String = "PutRetentionPolicy",
                        parameters: Value = ["logGroupName": "/aws/lambda/people-count", "retentionInDays": 1],
                        agent: String = "aws-cli/2.15.0", region: String = "eu-west-1") -> String {
        let detail: Value = [
            "eventVersion": "1.09", "eventID": "6f1a0c2e-0000-4000-8000-000000000001",
            "eventTime": "2026-12-06T09:30:00Z", "eventSource": .string(source), "eventName": .string(name),
            "awsRegion": .string(region), "userAgent": .string(agent), "readOnly": false,
            "recipientAccountId": "123456789012",
            "userIdentity": ["type": "AssumedRole",
                             "arn": "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice"],
            "requestParameters": parameters,
        ]
        let envelope: Value = [
            "version": "0", "id": "5bbb1c60-0000-4000-8000-000000000002",
            "detail-type": "AWS API Call via CloudTrail", "source": "aws.logs", "account": "123456789012",
            "time": "2026-12-06T09:30:01Z", "region": .string(region), "resources": [], "detail": detail,
        ]
        return JSON.encode(envelope)
    }

    @Test func aCloudTrailEventFromEventBridgeIsReadWithItsCallerAndTime() throws {
        let event = try ChangeEvent.parse(Self.message()).get()
        #expect(event.event.eventName == "PutRetentionPolicy")
        #expect(event.event.by == "arn:aws:sts::123456789012:assumed-role/OpsOnCall/alice")
        #expect(event.event.sessionName == "alice")
        #expect(event.event.via == "cli")
        #expect(event.region == "eu-west-1" && event.account == "123456789012")
        #expect(event.time == Timestamp.parse("2026-12-06T09:30:01Z"))
        #expect(event.event.value(at: "/RetentionInDays") == .int(1))
    }

    @Test func whatIsNotAnEventIsRefusedAndSaysWhy() {
        let cases: [(String, String)] = [
            ("{", "not JSON"),
            (#"{"detail-type": "Scheduled Event", "detail": {}}"#, "detail-type"),
            (#"{"detail-type": "AWS API Call via CloudTrail", "detail": {"eventName": "X"}}"#, "lacks"),
            (#"{"detail-type": "AWS API Call via CloudTrail"}"#, "no detail"),
            (String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000), "not JSON"),
            (String(repeating: " ", count: ChangeEvent.maxMessageBytes + 1), "byte bound"),
        ]
        for (body, said) in cases {
            guard case .failure(let problem) = ChangeEvent.parse(body) else {
                Issue.record("\(body.prefix(40)) was taken as an event")
                continue
            }
            #expect(problem.description.contains(said), "\(problem)")
        }
    }

    @Test func anEventNamesTheResourcesItsRequestGives() throws {
        func names(_ parameters: Value, _ id: String) throws -> Bool {
            try ChangeEvent.parse(Self.message(parameters: parameters)).get().names(id)
        }
        #expect(try names(["logGroupName": "/aws/lambda/people-count"], "/aws/lambda/people-count"))
        #expect(try !names(["logGroupName": "/aws/lambda/other"], "/aws/lambda/people-count"))
        // An id of several parts: each part is in the request (ECS, WAF, a scalable target).
        #expect(try names(["cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/web", "service": "api"], "web/api"))
        #expect(try !names(["cluster": "web", "service": "worker"], "web/api"))
        #expect(try names(["name": "acl", "id": "a1b2", "scope": "REGIONAL", "rules": []], "acl|a1b2|REGIONAL"))
        #expect(try names(["serviceNamespace": "dynamodb", "resourceId": "table/orders",
                           "scalableDimension": "dynamodb:table:ReadCapacityUnits"],
                          "dynamodb/table/orders/dynamodb:table:ReadCapacityUnits"))
        // A queue by its URL; a secret by its ARN, which ends in the name and six characters.
        #expect(try names(["queueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/frames"], "frames"))
        #expect(try names(["secretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:tv/cognito-AbCdEf"],
                          "tv/cognito"))
        // A name nested anywhere counts (a budget's), but no part may be missing.
        #expect(try names(["accountId": "123456789012", "newBudget": ["budgetName": "monthly"]], "monthly"))
        #expect(try !names(.null, "monthly"))
        // A key declared by alias is named only by a call that named the alias (docs/commands/events.md).
        #expect(try names(["keyId": "alias/orders"], "alias/orders"))
        #expect(try !names(["keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"], "alias/orders"))
    }

    @Test func anEventIsWatchedByTheKindWhoseCallsItIs() throws {
        let logs = try #require(Kinds.builtIn.kind(for: "AWS::Logs::LogGroup")).schema
        let groups = try #require(Kinds.builtIn.kind(for: "AWS::AutoScaling::AutoScalingGroup")).schema
        let lambda = try #require(Kinds.builtIn.kind(for: "AWS::Lambda::Function")).schema
        #expect(try ChangeEvent.parse(Self.message()).get().isWatched(by: logs))
        #expect(try ChangeEvent.parse(Self.message(name: "DeleteLogGroup")).get().isWatched(by: logs))
        #expect(try !ChangeEvent.parse(Self.message(name: "DescribeLogGroups")).get().isWatched(by: logs))
        #expect(try !ChangeEvent.parse(Self.message()).get().isWatched(by: groups))
        let capacity = Self.message(source: "autoscaling.amazonaws.com", name: "SetDesiredCapacity")
        #expect(try ChangeEvent.parse(capacity).get().isWatched(by: groups))
        // Lambda's event names carry the API's version after the name.
        let versioned = Self.message(source: "lambda.amazonaws.com", name: "UpdateFunctionConfiguration20150331v2")
        #expect(try ChangeEvent.parse(versioned).get().isWatched(by: lambda))
    }

    /// What the message carries is bounded: a huge field is cut, a huge request costs a bounded match.
    @Test func aHostileMessageCostsABoundedAmount() throws {
        let long = String(repeating: "a", count: 100_000)
        let many = Value.list((0..<50_000).map { .string("x\($0)") })
        let event = try ChangeEvent.parse(Self.message(parameters: ["items": many], agent: long)).get()
        #expect(event.event.userAgent.count == 1_024 + 1, "cut, and marked with an ellipsis")
        // At most `maxLeaves` values of a request are read: each of these is one token.
        #expect(ChangeEvent.tokens(of: event.event.requestParameters).count == ChangeEvent.maxLeaves)
    }

    /// Which declared resources an event is a change to: its kind's call, its region (any, for a global
    /// service), its account where the environment names one, and a `ref` by the id the last read resolved.
    @Test func anEventIsAChangeToTheDeclaredResourcesItNames() throws {
        let decoded = try DesiredStateLoader.builtIn.decode(SourceFiles(texts: [
            "desired-state/prod/environment.yaml": "region: eu-west-1\naccount: \"123456789012\"\n",
            "desired-state/prod/r.yaml": """
                resources:
                  - {type: AWS::Logs::LogGroup, id: /aws/lambda/people-count, properties: {RetentionInDays: 30}}
                  - {type: AWS::Logs::LogGroup, id: /aws/lambda/people-count, region: us-east-1,
                     properties: {RetentionInDays: 30}}
                  - {type: AWS::Logs::LogGroup, ref: {stack: web, logicalId: Logs}, properties: {RetentionInDays: 7}}
                  - {type: AWS::Budgets::Budget, id: monthly, properties: {BudgetLimit: {Amount: 100}}}

                """,
        ]))
        #expect(decoded.diagnostics.isEmpty, "\(decoded.diagnostics)")
        let state = decoded.state
        let keys = state.environments.flatMap(\.resources).map(\.key)
        func named(_ message: String, ids: [ResourceKey: String] = [:]) throws -> [ResourceKey] {
            try ChangeEvent.parse(message).get().resources(in: state, physicalIds: ids)
        }
        // The region's own resource, not the same name in another region.
        #expect(try named(Self.message()) == [keys[0]])
        #expect(try named(Self.message(region: "us-east-1")) == [keys[1]])
        // Another account's call names nothing of an environment that names its account.
        let elsewhere = Self.message().replacingOccurrences(of: "123456789012", with: "210987654321")
        #expect(try named(elsewhere) == [])
        // A ref, by the physical id the last read resolved it to; unknown until read.
        let resolved = Self.message(parameters: ["logGroupName": "web-Logs-1A2B"])
        #expect(try named(resolved) == [])
        #expect(try named(resolved, ids: [keys[2]: "web-Logs-1A2B"]) == [keys[2]])
        // A global service's call, made in us-east-1, names the environment's budget in eu-west-1.
        let budget = Self.message(source: "budgets.amazonaws.com", name: "UpdateBudget",
                                  parameters: ["accountId": "123456789012", "newBudget": ["budgetName": "monthly"]],
                                  region: "us-east-1")
        #expect(try named(budget) == [keys[3]])
    }
}
