import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// What keeps an apply safe: change windows, locks, the journal of a partial
/// apply and convergence after it.
@Suite struct ApplySafetyTests {
    func history(_ repo: TempRepository) throws -> [Value] {
        let result = try repo.ballast(["history", "--output", "json"])
        return try JSON.parse(result.stdout)["entries"]?.list ?? []
    }

    /// A window on a day three days from now: never open while the test runs.
    var closedWindow: String {
        let today = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
            .weekday!
        let day = Weekday(rawValue: (today + 2) % 7 + 1)!.shortName
        return "region: us-east-1\nchangeWindows:\n  - {days: [\(day)], start: \"00:00\", end: \"24:00\"}\n"
    }

    @Test func outsideAChangeWindowNothingIsWrittenUnlessOverriddenWithAReason() async throws {
        let group = "/ballast/" + uniqueName("window")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n",
                                                   environment: closedWindow)
        let refused = try repo.ballast(["apply", "--auto-approve"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("test is outside its change windows ("))
        #expect(refused.stderr.contains("the next opens"))
        #expect(try await liveRetention(group) == 7)
        // plan and drift are never blocked by windows.
        #expect(try repo.ballast(["plan"]).status == 2)

        let overridden = try repo.ballast(["apply", "--auto-approve", "--override-window", "INC-4312: queue backlog"])
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(overridden.stderr.contains("applying anyway (--override-window: INC-4312: queue backlog)"))
        #expect(try await liveRetention(group) == 30)
        #expect(try history(repo).first?["windowOverride"] == "INC-4312: queue backlog")
        #expect(
            try repo.ballast(["apply", "--auto-approve", "--override-window", " "]).stderr.contains("needs a reason"))
    }

    /// Writes to different resources go at once; a resource's writes go in order, and its failed write
    /// stops the rest of that resource's. Here a function's first write is refused.
    @Test func aFailureInTheMiddleIsReportedExactlyJournaledAsPartialAndARerunConverges() async throws {
        let asg = uniqueName("asg")
        let function = uniqueName("mid-fn")
        let group = "/ballast/" + uniqueName("mid")
        try await seeder().create(
            "AWS::AutoScaling::AutoScalingGroup", id: asg, ["MinSize": 1, "MaxSize": 4, "DesiredCapacity": 4])
        try await seeder().create(
            "AWS::Lambda::Function", id: function, ["MemorySize": 128, "ReservedConcurrentExecutions": 1])
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("""
              - {type: AWS::AutoScaling::AutoScalingGroup, id: \(asg), properties: {DesiredCapacity: 2}}
              - {type: AWS::Lambda::Function, id: \(function), properties: {MemorySize: 256, ReservedConcurrentExecutions: 2}}
              - {type: AWS::Logs::LogGroup, id: \(group), properties: {RetentionInDays: 30}}
            """)
        let planFile = repo.path + "/mid.plan.json"
        #expect(try repo.ballast(["plan", "--out", planFile]).status == 2)

        // The function's first write meets an update someone else started: Lambda refuses it (409).
        let port = MotoServer.unauthenticated.port  // where the tests' Lambda lives
        let conflict = try LoopbackHTTPServer { request in
            if request.method == "PUT", request.path.contains("/functions/\(function)/concurrency") {
                return .response(status: 409, headers: ["Content-Type": "application/json",
                                                        "x-amzn-ErrorType": "ResourceConflictException"],
                                 body: Array(#"{"message":"An update is in progress for the function"}"#.utf8))
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
        let apply = try repo.ballast(["apply", planFile], ["AWS_ENDPOINT_URL_LAMBDA": conflict.url])
        #expect(apply.status == 1)
        #expect(apply.stdout.contains("applied        autoscaling:UpdateAutoScalingGroup \(asg)"), "\(apply.stdout)")
        #expect(
            apply.stdout.contains(
                "failed         lambda:PutFunctionConcurrency \(function): Lambda PutFunctionConcurrency failed: "
                    + "ResourceConflictException"), "\(apply.stdout)")
        #expect(apply.stdout.contains("not attempted  lambda:UpdateFunctionConfiguration \(function)"))
        #expect(apply.stdout.contains("applied        logs:PutRetentionPolicy \(group)"))
        #expect(
            apply.stdout.contains("Apply: 2 of 4 changes applied, 2 verified by reading them back; outcome partial."))

        let entry = try #require(try history(repo).first)
        #expect(entry["outcome"] == "partial")
        let outcomes = Dictionary((entry["changes"]?.list ?? []).map {
            (($0["call"]?.string ?? "") + " " + ($0["id"]?.string ?? ""), $0["outcome"]?.string ?? "")
        }, uniquingKeysWith: { a, _ in a })
        #expect(outcomes == ["autoscaling:UpdateAutoScalingGroup \(asg)": "applied",
                             "lambda:PutFunctionConcurrency \(function)": "failed",
                             "lambda:UpdateFunctionConfiguration \(function)": "not attempted",
                             "logs:PutRetentionPolicy \(group)": "applied"])
        #expect(entry["changes"]?.list?.first?["set"] == ["/DesiredCapacity": ["from": 4, "to": 2]])

        // Re-run, the update over: the rest is written and the apply converges.
        let rerun = try repo.ballast(["apply", "--auto-approve"])
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        #expect(rerun.stdout.contains("Apply: 2 of 2 changes applied"), "\(rerun.stdout)")
        #expect(try repo.ballast(["drift"]).status == 0)
    }

    @Test func twoAppliesAtOnceOnALockTableNeverBothWrite() async throws {
        let (repo, table, group) = try await lockTableRepository()
        // Reads and writes are slowed (not the lock's own calls), so the first apply holds the lock for seconds.
        let port = MotoServer.shared.port
        let slow = try LoopbackHTTPServer { request in
            if request.headers.first(where: { $0.key.lowercased() == "x-amz-target" })?.value.hasPrefix("Logs_")
                == true {
                Thread.sleep(forTimeInterval: 0.7)
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
        let (path, variables) = (
            repo.path, MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": slow.url]) { _, new in new }
        )
        let results = try await both {
            try Run.ballast(["apply", "--auto-approve", "--repo", path], environment: variables)
        }
        #expect(results.filter { $0.status == 0 }.count == 1, "\(results.map { $0.stdout + $0.stderr })")
        let loser = try #require(results.first { $0.status != 0 })
        #expect(loser.stderr.contains("environment test is locked by"))
        #expect(loser.stderr.contains("[DynamoDB table \(table) in us-east-1]"))
        #expect(!loser.stdout.contains("applied "))
        #expect(try await liveRetention(group) == 30)
        // The lock item is gone afterwards; the journal is in the notes and in the table.
        let item = try await seeder().client.json(
            .dynamodb, "GetItem", ["TableName": .string(table), "Key": ["LockID": ["S": "ballast/lock/test"]]])
        #expect(item["Item"] == nil)
        let fromTable = try repo.ballast(["history", "--from-lock-table", "--output", "json"])
        #expect(fromTable.status == 0, "\(fromTable.stderr)")
        #expect(try JSON.parse(fromTable.stdout)["entries"]?.list?.count == 1)
        #expect(try history(repo).count == 1)
    }

    @Test func aHeldLockNamesItsHolderAndAgeAndUnlockForceRemovesIt() async throws {
        let (repo, table, group) = try await lockTableRepository()
        let acquired = Date().addingTimeInterval(-300)
        try await putLock(
            table, holder: "bob on runner-7 (pid 41)", acquired: acquired, expires: Date().addingTimeInterval(3000))

        let refused = try repo.ballast(["apply", "--auto-approve"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains(
                "environment test is locked by bob on runner-7 (pid 41), applying 0123456789ab, since "
                    + "\(Timestamp.iso8601(acquired)) (5 min ago)"
            ))
        #expect(refused.stderr.contains("ballast unlock test --force"))
        #expect(try await liveRetention(group) == 7)

        #expect(try repo.ballast(["unlock", "test"]).status == 1)
        let unlocked = try repo.ballast(["unlock", "test", "--force"])
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        #expect(unlocked.stdout.contains("Removed the lock on test held by bob on runner-7 (pid 41)"))
        #expect(try repo.ballast(["apply", "--auto-approve"]).status == 0)

        // A lock past its expiry (a crashed runner's) is taken over without unlock.
        try await putLock(
            table, holder: "carol on runner-2 (pid 7)", acquired: Date().addingTimeInterval(-7200),
            expires: Date().addingTimeInterval(-3600))
        _ = try await seeder().client.json(
            .logs, "PutRetentionPolicy", ["logGroupName": .string(group), "retentionInDays": 14])
        #expect(try repo.ballast(["apply", "--auto-approve"]).status == 0)
    }

    @Test func aLockWriteWhoseAnswerIsLostIsRetriedAndStillCountsAsTaken() async throws {
        let (repo, _, group) = try await lockTableRepository()
        // The first lock PutItem reaches moto, but its answer never comes back: the client retries.
        let port = MotoServer.shared.port
        let dropped = Locked(false)
        let lossy = try LoopbackHTTPServer { request in
            let answer = LoopbackHTTPServer.forward(request, toPort: port)
            let isLockPut =
                String(decoding: request.raw, as: UTF8.self).contains("ballast/lock/test")
                && request.headers.first { $0.key.lowercased() == "x-amz-target" }?.value
                    == "DynamoDB_20120810.PutItem"
            if isLockPut,
                dropped.update({ (done: inout Bool) -> Bool in
                    defer { done = true }
                    return !done
                }) {
                return .drop
            }
            return answer.map { .raw($0) } ?? .drop
        }
        let apply = try repo.ballast(["apply", "--auto-approve"], ["AWS_ENDPOINT_URL": lossy.url])
        #expect(dropped.current)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await liveRetention(group) == 30)
    }

    @Test func theLockFileInGitKeepsASecondApplyOutUntilItsProcessIsGone() async throws {
        let group = "/ballast/" + uniqueName("filelock")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let lockFile = repo.path + "/.git/ballast-test.lock"
        let host = ProcessInfo.processInfo.hostName
        // Held by a live process (this test run).
        let live = #"{"token":"x","holder":"dave on \#(host) (pid \#(getpid()))","revision":"abc","acquired":"2026-11-23T07:00:00Z","host":"\#(host)","pid":\#(getpid())}"#
        try live.write(toFile: lockFile, atomically: true, encoding: .utf8)
        let refused = try repo.ballast(["apply", "--auto-approve"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("environment test is locked by dave on \(host) (pid \(getpid()))"))
        #expect(refused.stderr.contains("/.git/ballast-test.lock]"))
        #expect(try await liveRetention(group) == 7)
        // Its process is gone: the lock is taken over.
        try live.replacingOccurrences(of: "\(getpid())", with: "999999").write(
            toFile: lockFile, atomically: true, encoding: .utf8)
        #expect(try repo.ballast(["apply", "--auto-approve"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: lockFile))
    }

    @Test func sixAppliesRacingToTakeOverADeadApplysLockFileLetExactlyOneWrite() async throws {
        let group = "/ballast/" + uniqueName("takeover")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let host = ProcessInfo.processInfo.hostName
        try #"{"token":"gone","holder":"a killed apply","revision":"abc","acquired":"2026-11-23T07:00:00Z","host":"\#(host)","pid":999999}"#
            .write(toFile: repo.path + "/.git/ballast-test.lock", atomically: true, encoding: .utf8)
        // Logs calls are slowed, so the winner still holds the lock while the others try.
        let port = MotoServer.shared.port
        let slow = try LoopbackHTTPServer { request in
            if request.headers.first(where: { $0.key.lowercased() == "x-amz-target" })?.value.hasPrefix("Logs_")
                == true {
                Thread.sleep(forTimeInterval: 0.5)
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
        let (path, variables) = (
            repo.path, MotoServer.shared.environment.merging(["AWS_ENDPOINT_URL": slow.url]) { _, new in new }
        )
        let results = try await together(6) {
            try Run.ballast(["apply", "--auto-approve", "--repo", path], environment: variables)
        }
        let writers = results.filter { $0.stdout.contains("applied        logs:PutRetentionPolicy") }
        #expect(writers.count == 1, "\(results.map { $0.stdout + $0.stderr })")
        #expect(results.filter { $0.stderr.contains("environment test is locked by") }.count == 5)
        #expect(try history(repo).count == 1)
    }

    /// The write lands but its answer is lost; the retry is refused (a conflict): the
    /// change is applied, because AWS holds its value.
    @Test func aWriteThatLandedBeforeItsRetryFailedIsApplied() async throws {
        let group = "/ballast/" + uniqueName("landed")
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n")
        let port = MotoServer.shared.port
        let writes = Locked(0)
        let lossy = try LoopbackHTTPServer { request in
            guard request.headers["x-amz-target"] == "Logs_20140328.PutRetentionPolicy" else {
                return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
            }
            if writes.update({ (count: inout Int) -> Int in count += 1; return count }) == 1 {
                _ = LoopbackHTTPServer.forward(request, toPort: port)  // it lands; the answer is lost
                return .drop
            }
            let body = #"{"__type":"OperationAbortedException","message":"A conflicting operation is currently in progress"}"#
            return .response(
                status: 400, headers: ["Content-Type": "application/x-amz-json-1.1"], body: Array(body.utf8))
        }
        let apply = try repo.ballast(["apply", "--auto-approve"], ["AWS_ENDPOINT_URL": lossy.url])
        #expect(writes.current == 2)
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(
            apply.stdout.contains("Apply: 1 of 1 changes applied, 1 verified by reading them back; outcome applied."))
        #expect(try await liveRetention(group) == 30)
    }

    /// PutBucketLifecycleConfiguration replaces the whole configuration. The repository owns
    /// the rules it names, and in them the fields it sets: a rule it does not name (a
    /// tag-limited expiration) and the elements it does not set (an And filter with a tag and
    /// a size, NewerNoncurrentVersions, a transition) go back exactly as they were. moto drops
    /// object sizes and NewerNoncurrentVersions, so the proxy answers the read as AWS would
    /// and the test checks the XML ballast sends.
    @Test func aLifecycleWriteKeepsWhatTheRepositoryDoesNotName() async throws {
        let bucket = uniqueName("owned")
        try await seeder().create("AWS::S3::Bucket", id: bucket, [:])
        let scratch =
            "<Rule><ID>tagged-scratch</ID><Status>Enabled</Status><Filter><Tag><Key>scratch</Key><Value>true</Value>"
            + "</Tag></Filter><Expiration><Days>1</Days></Expiration></Rule>"
        let live = "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + scratch
            + "<Rule><ID>raw</ID><Filter><And><Prefix>raw/</Prefix><Tag><Key>team</Key><Value>vision</Value></Tag>"
            + "<ObjectSizeGreaterThan>1024</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>"
            + "<Transition><Days>10</Days><StorageClass>STANDARD_IA</StorageClass></Transition>"
            + "<Expiration><Days>30</Days></Expiration>"
            + "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>"
            + "<NewerNoncurrentVersions>3</NewerNoncurrentVersions>"
            + "</NoncurrentVersionExpiration></Rule></LifecycleConfiguration>"
        let port = MotoServer.shared.port
        let sent = Locked<[String]>([])
        let s3 = try LoopbackHTTPServer { request in
            if request.path.hasPrefix("/\(bucket)?lifecycle") {
                if request.method == "GET" {
                    return .response(status: 200, headers: ["Content-Type": "application/xml"], body: Array(live.utf8))
                }
                let raw = String(decoding: request.raw, as: UTF8.self)
                sent.update { $0.append(String(raw[(raw.range(of: "\r\n\r\n")?.upperBound ?? raw.endIndex)...])) }
            }
            return LoopbackHTTPServer.forward(request, toPort: port).map { .raw($0) } ?? .drop
        }
        let repo = try TempRepository.desiredState("""
              - {type: AWS::S3::Bucket, id: \(bucket), properties: {LifecycleConfiguration: {Rules: [{Id: raw, Status: Enabled, ExpirationInDays: 60}]}}}
            """ + "\n")
        let variables = ["AWS_ENDPOINT_URL_S3": s3.url]
        let drift = try JSON.parse(try repo.ballast(["drift", "--output", "json"], variables).stdout)
        let differences = drift["environments"]?[0]?["resources"]?[0]?["differences"]
        #expect(
            differences == [
                [
                    "path": "/LifecycleConfiguration/Rules/0/ExpirationInDays", "expected": 60, "actual": 30,
                    "type": "NOT_EQUAL",
                ]
            ])
        _ = try repo.ballast(["apply", "--auto-approve", "--no-wait"], variables)
        #expect(
            sent.current == [
                "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" + scratch
                    + "<Rule><ID>raw</ID><Status>Enabled</Status><Filter><And><Prefix>raw/</Prefix>"
                    + "<Tag><Key>team</Key><Value>vision</Value></Tag>"
                    + "<ObjectSizeGreaterThan>1024</ObjectSizeGreaterThan></And></Filter>"
                    + "<Transition><Days>10</Days><StorageClass>STANDARD_IA</StorageClass></Transition>"
                    + "<Expiration><Days>60</Days></Expiration>"
                    + "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>"
                    + "<NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>"
                    + "</LifecycleConfiguration>"
            ])
    }

    /// A log group at 7 days desired at 30, in an environment with a fresh lock table.
    func lockTableRepository() async throws -> (TempRepository, String, String) {
        let (table, group) = (try await createLockTable(), "/ballast/" + uniqueName("locked"))
        try await seeder().create("AWS::Logs::LogGroup", id: group, ["RetentionInDays": 7])
        let repo = try TempRepository.desiredState("  - {type: AWS::Logs::LogGroup, id: \(group), "
            + "properties: {RetentionInDays: 30}}\n",
                                                   environment: "region: us-east-1\nlockTable: \(table)\n")
        return (repo, table, group)
    }

    func putLock(_ table: String, holder: String, acquired: Date, expires: Date) async throws {
        _ = try await seeder().client.json(.dynamodb, "PutItem", ["TableName": .string(table), "Item": [
            "LockID": ["S": "ballast/lock/test"], "Owner": ["S": "someone-else"], "Holder": ["S": .string(holder)],
            "Revision": ["S": "0123456789abcdef"], "Acquired": ["S": .string(Timestamp.iso8601(acquired))],
            "Expires": ["N": .string(String(Int(expires.timeIntervalSince1970)))],
        ]])
    }

    /// Runs `body` twice at the same time, on two threads.
    func both(_ body: @escaping @Sendable () throws -> Run.Result) async throws -> [Run.Result] {
        try await together(2, body)
    }

    /// Runs `body` `count` times at the same time, each on its own thread.
    func together(_ count: Int, _ body: @escaping @Sendable () throws -> Run.Result) async throws -> [Run.Result] {
        let results = Locked<[Result<Run.Result, Error>]>([])
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: count) { _ in
                    let result = Result { try body() }
                    results.update { $0.append(result) }
                }
                done.resume()
            }
        }
        return try results.current.map { try $0.get() }
    }
}
