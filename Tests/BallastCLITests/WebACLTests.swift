import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// `AWS::WAFv2::WebACL` against moto: rules owned by name, the rest of the ACL kept by a write
/// that replaces the whole ACL, and the lock token's conflict read again and retried.
@Suite struct WebACLTests {
    static let live: [String: Value] = [
        "DefaultAction": ["Allow": [:]],
        "Rules": [
            ["Name": "per-ip", "Statement": ["RateBasedStatement": ["Limit": 2_000, "EvaluationWindowSec": 300]]],
            ["Name": "unowned", "Action": ["Count": [:]]],
        ],
    ]

    /// The live rule as GetWebACL answers it.
    static func rule(_ name: String, of id: String) async throws -> Value? {
        let parts = id.split(separator: "|").map(String.init)
        let answer = try await seeder().client.json(.wafv2, "GetWebACL", .map([
            "Name": .string(parts[0]), "Id": .string(parts[1]), "Scope": .string(parts[2])]))
        return (answer["WebACL"]?["Rules"]?.list ?? []).first { $0["Name"]?.string == name }
    }

    /// Rules the repository does not name and fields it does not set are not drift; the desired
    /// order need not be live's; a named rule live lacks is REMOVE; a missing ACL is DELETED.
    @Test func driftComparesOwnedRulesByName() async throws {
        let sync = try await seeder().create("AWS::WAFv2::WebACL", id: uniqueName("acl"), Self.live)
        let drifted = try await seeder().create("AWS::WAFv2::WebACL", id: uniqueName("acl"), Self.live)
        let gone = "\(uniqueName("acl"))|a1b2c3d4-5678-90ab-cdef-EXAMPLE11111|REGIONAL"
        let run = try DriftRun.run("""
              - {type: AWS::WAFv2::WebACL, id: "\(sync)",
                 properties: {DefaultAction: {Allow: {}}, Rules: [{Name: unowned, Action: {Count: {}}},
                   {Name: per-ip, Action: {Block: {}}, Statement: {RateBasedStatement: {Limit: 2000}}}]}}
              - {type: AWS::WAFv2::WebACL, id: "\(drifted)",
                 properties: {DefaultAction: {Block: {}},
                              Rules: [{Name: per-ip, Statement: {RateBasedStatement: {Limit: 500}}}, {Name: absent}]}}
              - {type: AWS::WAFv2::WebACL, id: "\(gone)", properties: {DefaultAction: {Allow: {}}}}
            """)
        #expect(run.status == 2, "\(run.report)\(run.stderr)")
        #expect(run.status(of: sync) == "IN_SYNC", "\(run.differences(of: sync))")
        #expect(run.differences(of: drifted) == [
            difference("/DefaultAction/Allow", nil, .map([:]), "ADD"),
            difference("/DefaultAction/Block", .map([:]), nil, "REMOVE"),
            difference("/Rules/0/Statement/RateBasedStatement/Limit", 500, 2_000),
            difference("/Rules/1/Name", "absent", nil, "REMOVE"),
        ])
        #expect(run.status(of: gone) == "DELETED")
    }

    /// Apply changes the owned fields and keeps the rest of the ACL: the unowned rule, the named
    /// rule's priority, aggregation and metrics.
    @Test func applyKeepsWhatTheRepositoryDoesNotOwn() async throws {
        let id = try await seeder().create("AWS::WAFv2::WebACL", id: uniqueName("acl"), Self.live)
        let repo = try TempRepository.desiredState("""
              - {type: AWS::WAFv2::WebACL, id: "\(id)",
                 properties: {Rules: [{Name: per-ip, Statement: {RateBasedStatement: {Limit: 500}}}]}}

            """)
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let perIP = try await Self.rule("per-ip", of: id)
        #expect(perIP?["Statement"]?["RateBasedStatement"]?["Limit"] == 500)
        #expect(perIP?["Statement"]?["RateBasedStatement"]?["AggregateKeyType"] == "IP")
        #expect(perIP?["Statement"]?["RateBasedStatement"]?["EvaluationWindowSec"] == 300)
        #expect(perIP?["Priority"] == 0)
        #expect(perIP?["VisibilityConfig"]?["MetricName"] == "per-ip")
        #expect(try await Self.rule("unowned", of: id)?["Action"] == ["Count": [:]])
    }

    /// A rule the ACL lacks is not created: the apply fails by name and changes nothing.
    @Test func applyRefusesToCreateARule() async throws {
        let id = try await seeder().create("AWS::WAFv2::WebACL", id: uniqueName("acl"), Self.live)
        let repo = try TempRepository.desiredState("""
              - {type: AWS::WAFv2::WebACL, id: "\(id)", properties: {Rules: [{Name: brand-new, Action: {Block: {}}}]}}

            """)
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 1)
        #expect(
            (apply.stdout + apply.stderr).contains("has no rule named brand-new"), "\(apply.stdout)\(apply.stderr)")
        #expect(try await Self.rule("brand-new", of: id) == nil)
    }

    /// A named rule whose live statement is of another type (a byte-match block rule) is refused by
    /// name, before any write: the rule keeps its statement.
    @Test func aRuleOfAnotherStatementTypeIsRefusedNotReplaced() async throws {
        let byteMatch: Value = ["ByteMatchStatement": [
            "SearchString": "YmFk", "FieldToMatch": ["UriPath": [:]], "PositionalConstraint": "CONTAINS",
            "TextTransformations": [["Priority": 0, "Type": "NONE"]]]]
        var live = Self.live
        live["Rules"] = [["Name": "block-bad", "Action": ["Block": [:]], "Statement": byteMatch]]
        let id = try await seeder().create("AWS::WAFv2::WebACL", id: uniqueName("acl"), live)
        let before = try await Self.rule("block-bad", of: id)
        #expect(before?["Statement"]?["ByteMatchStatement"] != nil, "\(before ?? .null)")
        let repo = try TempRepository.desiredState("""
              - {type: AWS::WAFv2::WebACL, id: "\(id)",
                 properties: {Rules: [{Name: block-bad, Statement: {RateBasedStatement: {Limit: 100}}}]}}

            """)
        let apply = try repo.ballast(["apply", "--auto-approve"])
        #expect(apply.status == 1)
        #expect((apply.stdout + apply.stderr).contains("rule block-bad has a ByteMatchStatement live, not a "
            + "RateBasedStatement"), "\(apply.stdout)\(apply.stderr)")
        #expect(try await Self.rule("block-bad", of: id) == before)
    }

    /// Another writer between ballast's read and its update: WAF refuses the stale lock token
    /// (`WAFOptimisticLockException`); ballast reads the ACL again and updates with the new token.
    @Test func aStaleLockTokenIsReadAgainAndRetried() async throws {
        let id = try await seeder().create("AWS::WAFv2::WebACL", id: uniqueName("acl"), Self.live)
        let port = MotoServer.shared.port
        let reads = Locked(0), refused = Locked(false)
        let proxy = try LoopbackHTTPServer { request in
            let target = request.headers["x-amz-target"] ?? ""
            if target.hasSuffix(".GetWebACL") { reads.update { $0 += 1 } }
            if target.hasSuffix(".UpdateWebACL"), refused.update({ done in defer { done = true }; return !done }) {
                let body = #"{"__type":"WAFOptimisticLockException","Message":"AWS WAF couldn't save your changes"}"#
                return .response(status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"],
                                 body: Array(body.utf8))
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
        let repo = try TempRepository.desiredState("""
              - {type: AWS::WAFv2::WebACL, id: "\(id)", properties: {DefaultAction: {Block: {}}}}

            """)
        let environment = MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": proxy.url]) { $1 }
        let apply = try Run.ballast(["apply", "--auto-approve", "--repo", repo.path], environment: environment)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(refused.current)
        // The plan's read, the write's first read, its read after the refusal, the read-back.
        #expect(reads.current == 4)
        let drift = try DriftRun.run(
            "  - {type: AWS::WAFv2::WebACL, id: \"\(id)\", properties: {DefaultAction: {Block: {}}}}")
        #expect(drift.status(of: id) == "IN_SYNC")
    }
}
