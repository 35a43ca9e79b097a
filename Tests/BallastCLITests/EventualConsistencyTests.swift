import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Real AWS finishes some writes after answering them: a DynamoDB table shows
/// `UPDATING` and its old throughput for a while after UpdateTable. moto applies at
/// once, so a proxy answers DescribeTable the way AWS does for `settle` seconds.
@Suite struct EventualConsistencyTests {
    /// A table at 5/5 read/write units desired at 20/10.
    func table() async throws -> (TempRepository, String) {
        let table = uniqueName("settling")
        try await seeder().create("AWS::DynamoDB::Table", id: table, [
            "BillingMode": "PROVISIONED", "ProvisionedThroughput": ["ReadCapacityUnits": 5, "WriteCapacityUnits": 5],
        ])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::DynamoDB::Table, id: \(table), properties: {ProvisionedThroughput: "
                + "{ReadCapacityUnits: 20, WriteCapacityUnits: 10}}}\n"
        )
        return (repo, table)
    }

    /// A proxy in front of moto under which an UpdateTable takes `settle` seconds to show:
    /// until then DescribeTable answers UPDATING with the old 5/5 units.
    func slowTables(settle: TimeInterval) throws -> LoopbackHTTPServer {
        let port = MotoServer.shared.port
        let updatedAt = Locked<Date?>(nil)
        return try LoopbackHTTPServer { request in
            let target = request.headers["x-amz-target"] ?? ""
            guard let answer = LoopbackHTTPServer.forward(request, toPort: port) else { return .drop }
            if target == "DynamoDB_20120810.UpdateTable" { updatedAt.update { $0 = Date() } }
            guard target == "DynamoDB_20120810.DescribeTable", let at = updatedAt.current,
                Date().timeIntervalSince(at) < settle
            else { return .raw(answer) }
            let (status, body) = Self.split(answer)
            guard case .map(var fields)? = try? JSON.parse(body), case .map(var table)? = fields["Table"] else {
                return .raw(answer)
            }
            table["TableStatus"] = "UPDATING"
            table["ProvisionedThroughput"] = ["ReadCapacityUnits": 5, "WriteCapacityUnits": 5]
            fields["Table"] = .map(table)
            return .response(status: status, headers: ["Content-Type": "application/x-amz-json-1.0"],
                             body: Array(JSON.encode(.map(fields)).utf8))
        }
    }

    static func split(_ answer: [UInt8]) -> (Int, [UInt8]) {
        let text = String(decoding: answer, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return (200, []) }
        let status = Int(text.split(separator: " ").dropFirst().first ?? "200") ?? 200
        return (status, Array(text[end.upperBound...].utf8))
    }

    @Test func readBackWaitsForATableToFinishUpdating() async throws {
        let (repo, _) = try await table()
        let proxy = try slowTables(settle: 3)
        let apply = try repo.ballast(["apply", "--auto-approve"], ["AWS_ENDPOINT_URL": proxy.url])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains("waiting for AWS to finish dynamodb:UpdateTable"))
        #expect(
            apply.stdout.contains("Apply: 1 of 1 changes applied, 1 verified by reading them back; outcome applied."))
    }

    @Test func whatAWSHasNotFinishedWhenTheWaitEndsIsPendingNotFailed() async throws {
        let (repo, _) = try await table()
        let proxy = try slowTables(settle: 30)
        let apply = try repo.ballast(
            ["apply", "--auto-approve", "--wait-timeout", "2s"], ["AWS_ENDPOINT_URL": proxy.url])
        #expect(apply.status == 1)
        #expect(apply.stdout.contains("pending        dynamodb:UpdateTable"))
        #expect(apply.stdout.contains("1 pending (run `ballast drift` later to see them land); outcome pending."),
                "\(apply.stdout)")
        let history = try JSON.parse(try repo.ballast(["history", "--output", "json"]).stdout)["entries"]?.list ?? []
        #expect(history.first?["outcome"] == "pending")
        #expect(history.first?["changes"]?[0]?["pending"] == true)
        #expect(history.first?["changes"]?[0]?["outcome"] == "applied")
    }

    /// Rewrites one operation's answers for `settle` seconds after `write` went through.
    func settling(after write: @escaping @Sendable (LoopbackHTTPServer.Request) -> Bool,
                  rewrite read: @escaping @Sendable (LoopbackHTTPServer.Request) -> Bool,
                  settle: TimeInterval, upstream port: Int = MotoServer.shared.port,
                  _ change: @escaping @Sendable (String) -> String) throws -> LoopbackHTTPServer {
        let writtenAt = Locked<Date?>(nil)
        return try LoopbackHTTPServer { request in
            guard let answer = LoopbackHTTPServer.forward(request, toPort: port) else { return .drop }
            if write(request) { writtenAt.update { $0 = Date() } }
            guard read(request), let at = writtenAt.current, Date().timeIntervalSince(at) < settle else {
                return .raw(answer)
            }
            let (status, body) = Self.split(answer)
            let type =
                String(decoding: body.prefix(1), as: UTF8.self) == "{" ? "application/x-amz-json-1.1" : "text/xml"
            return .response(
                status: status, headers: ["Content-Type": type],
                body: Array(change(String(decoding: body, as: UTF8.self)).utf8))
        }
    }

    /// RDS shows a modification under PendingModifiedValues before it lands.
    @Test func readBackWaitsForAnRDSModificationToLand() async throws {
        let db = uniqueName("db")
        try await seeder().create("AWS::RDS::DBInstance", id: db, ["BackupRetentionPeriod": 1])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::RDS::DBInstance, id: \(db), properties: {BackupRetentionPeriod: 14}}\n")
        let proxy = try settling(
            after: { String(decoding: $0.raw, as: UTF8.self).contains("Action=ModifyDBInstance") },
            rewrite: { String(decoding: $0.raw, as: UTF8.self).contains("Action=DescribeDBInstances") },
            settle: 3
        ) { xml in
            xml.replacingOccurrences(
                of: "<BackupRetentionPeriod>14</BackupRetentionPeriod>",
                with: "<BackupRetentionPeriod>1</BackupRetentionPeriod><PendingModifiedValues>"
                    + "<BackupRetentionPeriod>14</BackupRetentionPeriod></PendingModifiedValues>")
        }
        let apply = try repo.ballast(["apply", "--auto-approve"], ["AWS_ENDPOINT_URL": proxy.url])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains("waiting for AWS to finish rds:ModifyDBInstance"))
    }

    /// ECS shows the old desired count while a deployment rolls out.
    @Test func readBackWaitsForAnECSDeployment() async throws {
        let service = uniqueName("cluster") + "/web"
        try await seeder().create("AWS::ECS::Service", id: service, ["DesiredCount": 6])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::ECS::Service, id: \(service), properties: {DesiredCount: 2}}\n")
        let proxy = try settling(
            after: { $0.headers["x-amz-target"]?.hasSuffix(".UpdateService") == true },
            rewrite: { $0.headers["x-amz-target"]?.hasSuffix(".DescribeServices") == true },
            settle: 3
        ) { json in
            json.replacingOccurrences(of: #""desiredCount": 2"#, with: #""desiredCount": 6"#)
                .replacingOccurrences(of: #""desiredCount":2"#, with: #""desiredCount":6"#)
        }
        let apply = try repo.ballast(["apply", "--auto-approve"], ["AWS_ENDPOINT_URL": proxy.url])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains("waiting for AWS to finish ecs:UpdateService"))
    }

    /// Secrets Manager shows the old rotation rules for a moment after RotateSecret (it goes to the
    /// unauthenticated moto, with Lambda: see MotoServer).
    @Test func readBackWaitsForANewRotationSchedule() async throws {
        let secret = "ballast/" + uniqueName("rotating")
        let rotator = "arn:aws:lambda:us-east-1:123456789012:function:" + uniqueName("rotator")
        try await seeder().create(
            "AWS::SecretsManager::RotationSchedule", id: secret,
            ["RotationLambdaARN": .string(rotator), "RotationRules": ["AutomaticallyAfterDays": 90]])
        let repo = try TempRepository.desiredState(
            "  - {type: AWS::SecretsManager::RotationSchedule, id: \(secret), "
                + "properties: {RotationLambdaARN: \"\(rotator)\", RotationRules: {AutomaticallyAfterDays: 30}}}\n")
        let proxy = try settling(
            after: { $0.headers["x-amz-target"] == "secretsmanager.RotateSecret" },
            rewrite: { $0.headers["x-amz-target"] == "secretsmanager.DescribeSecret" },
            settle: 3, upstream: MotoServer.unauthenticated.port
        ) { json in
            json.replacingOccurrences(of: #""AutomaticallyAfterDays": 30"#, with: #""AutomaticallyAfterDays": 90"#)
                .replacingOccurrences(of: #""AutomaticallyAfterDays":30"#, with: #""AutomaticallyAfterDays":90"#)
        }
        let apply = try repo.ballast(["apply", "--auto-approve"], ["AWS_ENDPOINT_URL_SECRETS_MANAGER": proxy.url])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains("waiting for AWS to finish secretsmanager:RotateSecret"))
    }
}
