import BallastTestSupport
import Foundation
import Testing

/// The request checker itself finds what it is meant to find (so a clean run means something).
@Suite struct RequestContractCheckerTests {
    func check(_ requests: [[String: Any]]) throws -> String {
        let lines = try requests.map { request -> String in
            var line = request
            line["body"] = Data((request["body"] as? String ?? "").utf8).base64EncodedString()
            return String(decoding: try JSONSerialization.data(withJSONObject: line), as: UTF8.self)
        }.joined(separator: "\n")
        let input = NSTemporaryDirectory() + "ballast-contract-" + UUID().uuidString
        try lines.write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        return try Run.process("/bin/sh", ["-c", "python3 \"$0\" < \"$1\"", ApplyKindTests.checker, input]).stdout
    }

    func signed(_ service: String) -> String {
        "AWS4-HMAC-SHA256 Credential=AKIA/20261130/us-east-1/\(service)/aws4_request, SignedHeaders=host, Signature=00"
    }

    @Test func violationsAreNamedByOperationAndMember() throws {
        let found = try check([
            ["method": "POST", "target": "/", "body": #"{"logGroupName": "/x", "retentionInDays": "eight", "color": "red"}"#,
             "headers": ["authorization": signed("logs"), "x-amz-target": "Logs_20140328.PutRetentionPolicy"]],
            ["method": "POST", "target": "/", "body": "Action=SetDesiredCapacity&Version=2011-01-01&DesiredCapacity=x",
             "headers": ["authorization": signed("autoscaling"), "content-type": "application/x-www-form-urlencoded"]],
            ["method": "PUT", "target": "/bucket?versioning",
             "body": "<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>",
             "headers": ["authorization": signed("s3")]],
        ])
        #expect(found == """
            logs PutRetentionPolicy.retentionInDays: expected an integer, got 'eight'
            logs PutRetentionPolicy.color: not a member of PutRetentionPolicyRequest
            autoscaling SetDesiredCapacity.AutoScalingGroupName: required, missing
            autoscaling SetDesiredCapacity.DesiredCapacity: not a valid integer ('x')
            s3 PutBucketVersioning.VersioningConfiguration.Status: 'Maybe' is not one of ['Enabled', 'Suspended']
            s3 PutBucketVersioning: requestChecksumRequired, but no Content-MD5 or x-amz-checksum-* header

            """)
    }

    /// A service the checker has no model for is a problem it names, not a crash; and a checker
    /// that fails (a traceback exits 1 with nothing listed) is never read as "no violations".
    @Test func anUnknownServiceIsNamedAndACrashIsNotAPass() throws {
        let found = try check([["method": "POST", "target": "/", "body": "{}",
                                "headers": ["authorization": signed("newservice"), "x-amz-target": "New.Call"]]])
        #expect(found == "newservice: a signing name this checker has no botocore model for\n")
        let crashing = NSTemporaryDirectory() + "ballast-crashing-checker-" + UUID().uuidString + ".py"
        try "raise KeyError('sqs')\n".write(toFile: crashing, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: crashing) }
        #expect(throws: TestFailure.self) { _ = try RequestRecorder().violations(checker: crashing) }
    }
}
