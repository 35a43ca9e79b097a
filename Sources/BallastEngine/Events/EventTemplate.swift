import BallastCore
import FoundationEssentials

/// What `watch --events` listens to, derived from the kinds the desired state declares: for each
/// region a declared resource's calls are made in, the CloudTrail event sources and event names of
/// every call that changes what ballast owns (each kind's writes and `changedBy`), and the CloudFormation
/// template that makes EventBridge deliver them to one SQS queue.
public struct EventRules: Sendable, Equatable {
    /// `logs.amazonaws.com` -> the event names (matched as prefixes), sorted.
    public var calls: [String: [String]]
    /// The regions whose default event bus sees the calls: the resources' regions, and us-east-1 for a
    /// global service (Budgets), where AWS delivers its events (the EventBridge User Guide, "Events from
    /// AWS services": global services' events go to US East (N. Virginia)).
    public var regions: [String]
    /// Declared types no rule covers: a type read through Cloud Control changes through its own service's
    /// calls, which no declaration names; the backstop pass finds them.
    public var uncovered: [String]

    /// EventBridge's default limit on an event pattern, 2,048 characters (adjustable to 4,096; the
    /// EventBridge User Guide, "Amazon EventBridge quotas", "Event pattern size").
    public static let patternLimit = 2_048

    public init(_ state: DesiredState) {
        var calls: [String: Set<String>] = [:]
        var regions: Set<String> = []
        var uncovered: Set<String> = []
        for resource in state.environments.flatMap(\.resources) {
            guard let kind = resource.kind?.schema, kind.via == .native else {
                uncovered.insert(resource.type)
                continue
            }
            for operation in kind.watched {
                calls[operation.eventSource, default: []].insert(operation.eventName)
                regions.insert(operation.service.globalHost == nil ? resource.region : "us-east-1")
            }
        }
        self.calls = calls.mapValues { $0.sorted() }
        self.regions = regions.sorted()
        self.uncovered = uncovered.sorted()
    }

    /// The rules' patterns, each within `patternLimit`: event sources taken in order, as many to a rule
    /// as fit.
    public var patterns: [Value] {
        var patterns: [Value] = []
        var sources: [String] = []
        func pattern(_ sources: [String]) -> Value {
            let names = Set(sources.flatMap { calls[$0] ?? [] }).sorted()
            return ["detail-type": [.string(ChangeEvent.detailType)],
                    "detail": ["eventSource": .list(sources.map(Value.string)),
                               "eventName": .list(names.map { ["prefix": .string($0)] })]]
        }
        for source in calls.keys.sorted() {
            if !sources.isEmpty, JSON.encode(pattern(sources + [source])).count > Self.patternLimit {
                patterns.append(pattern(sources))
                sources = []
            }
            sources.append(source)
        }
        if !sources.isEmpty { patterns.append(pattern(sources)) }
        return patterns
    }
}

/// The CloudFormation template (YAML) `ballast events template` prints.
public enum EventTemplate {
    /// For the home region (`region` is where the queue is): the queue, encrypted at rest, its dead-letter
    /// queue (keeping what it holds 14 days, 1,209,600 s, SQS's longest `MessageRetentionPeriod`: the
    /// Amazon SQS API Reference, SetQueueAttributes) and redrive policy, the rules on the default bus, and
    /// a queue policy that lets only those rules send. For another region: rules that forward to the home
    /// region's default bus (EventBridge delivers cross-Region to an event bus, not to a queue) and the
    /// role they send with.
    public static func yaml(_ rules: EventRules, environments: [String], queueName: String, region: String,
                            home: String) -> String {
        let patterns = rules.patterns
        let homeBus = "!Sub \"arn:${AWS::Partition}:events:\(home):${AWS::AccountId}:event-bus/default\""
        let description = "ballast watch --events: CloudTrail calls that change what the desired state of "
            + environments.joined(separator: ", ") + " owns, from EventBridge's default bus in \(region)"
            + (region == home ? " to the queue \(queueName)" : ", forwarded to \(home)")
        // A JSON string is a YAML double-quoted scalar: whatever a name holds stays text.
        var out = "AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: \(JSON.encode(.string(description)))\n"
        out += "Resources:\n"
        if region == home {
            out += """
                  DeadLetterQueue:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: \(queueName)-dead-letter
                      SqsManagedSseEnabled: true
                      MessageRetentionPeriod: 1209600
                  Queue:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: \(queueName)
                      SqsManagedSseEnabled: true
                      ReceiveMessageWaitTimeSeconds: 20
                      VisibilityTimeout: 60
                      RedrivePolicy:
                        deadLetterTargetArn: !GetAtt DeadLetterQueue.Arn
                        maxReceiveCount: 5

                """
        } else {
            out += """
                  ForwardRole:
                    Type: AWS::IAM::Role
                    Properties:
                      AssumeRolePolicyDocument:
                        Version: "2012-10-17"
                        Statement:
                          - Effect: Allow
                            Principal:
                              Service: events.amazonaws.com
                            Action: sts:AssumeRole
                      Policies:
                        - PolicyName: forward-to-\(home)
                          PolicyDocument:
                            Version: "2012-10-17"
                            Statement:
                              - Effect: Allow
                                Action: events:PutEvents
                                Resource: \(homeBus)

                """
        }
        for (index, pattern) in patterns.enumerated() {
            out += "  Rule\(index + 1):\n    Type: AWS::Events::Rule\n    Properties:\n"
            out += "      Description: ballast watch --events (\(index + 1) of \(patterns.count))\n"
            out += "      EventBusName: default\n      State: ENABLED\n"
            out += "      EventPattern: \(JSON.encode(pattern))\n      Targets:\n"
            if region == home {
                out += "        - Id: ballast-queue\n          Arn: !GetAtt Queue.Arn\n"
            } else {
                out += "        - Id: ballast-\(home)\n"
                out += "          Arn: \(homeBus)\n"
                out += "          RoleArn: !GetAtt ForwardRole.Arn\n"
            }
        }
        if region == home {
            let sources = patterns.indices.map { "!GetAtt Rule\($0 + 1).Arn" }.joined(separator: ", ")
            out += """
                  QueuePolicy:
                    Type: AWS::SQS::QueuePolicy
                    Properties:
                      Queues:
                        - !Ref Queue
                      PolicyDocument:
                        Version: "2012-10-17"
                        Statement:
                          - Sid: OnlyBallastsRules
                            Effect: Allow
                            Principal:
                              Service: events.amazonaws.com
                            Action: sqs:SendMessage
                            Resource: !GetAtt Queue.Arn
                            Condition:
                              ArnEquals:
                                aws:SourceArn: [\(sources)]
                Outputs:
                  QueueUrl:
                    Description: ballast watch --events QUEUE_URL
                    Value: !Ref Queue
                  QueueArn:
                    Value: !GetAtt Queue.Arn

                """
        }
        return out
    }
}
