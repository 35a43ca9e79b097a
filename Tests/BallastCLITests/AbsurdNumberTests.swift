import BallastTestSupport
import Foundation
import Testing

/// Every number from a flag or an environment variable is range-checked where it is parsed:
/// a message naming the accepted range, exit 1, never a crash (these were SIGILL, exit 132).
@Suite struct AbsurdNumberTests {
    static let flags: [([String], String)] = [
        (["drift", "--max-duration", "inf"], "--max-duration takes a duration from 0s to 168h"),
        (["drift", "--max-duration", "1e300"], "--max-duration takes a duration from 0s to 168h"),
        (["plan", "--max-duration=-5s"], "--max-duration takes a duration from 0s to 168h"),
        (["watch", "--interval", "inf"], "--interval takes a duration from 1s to 168h"),
        (["watch", "--interval", "1e16h"], "--interval takes a duration from 1s to 168h"),
        (["watch", "--interval", "nan"], "--interval takes a duration from 1s to 168h"),
        (["apply", "--auto-approve", "--wait-timeout", "1e400"], "--wait-timeout takes a duration from 0s to 168h"),
        (["comment", "x.md", "--pr=-3"], "--pr takes a pull request's number (1 or more)"),
    ]

    @Test(arguments: flags)
    func aFlagOutOfRangeIsRefused(arguments: [String], message: String) throws {
        let result = try Run.ballast(arguments + ["--repo", NSTemporaryDirectory()])
        #expect(result.status == 1, "\(arguments): \(result.status) \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    static let variables: [([String: String], String)] = [
        (["BALLAST_API_RATES": "logs=1e-300"], "the rate is requests per second from 0.1 to 50000"),
        (["BALLAST_API_RATES": "*=1e308/1e308"], "the rate is requests per second from 0.1 to 50000"),
        (["BALLAST_API_RATES": "dynamodb=1e20"], "the rate is requests per second from 0.1 to 50000"),
        (["BALLAST_API_RATES": "logs=0.001"], "the rate is requests per second from 0.1 to 50000"),
        (["BALLAST_API_RATES": "logs=5/1e300"], "optionally /BURST from 1 to 10000"),
        (["BALLAST_API_RATES": "logz=5"],
         "'logz': ballast calls no such service; it calls apigateway, application-autoscaling"),
        (["BALLAST_API_RATES": "logs=5,lambda=3,logs=6"], "'logs' is given twice"),
        (
            ["AWS_MAX_ATTEMPTS": "99999999999"],
            "AWS_MAX_ATTEMPTS takes a whole number of attempts per request from 1 to 20"
        ),
        (
            ["BALLAST_CREDENTIAL_PROCESS_TIMEOUT": "inf"],
            "BALLAST_CREDENTIAL_PROCESS_TIMEOUT takes a number of seconds"
        ),
    ]

    @Test(arguments: variables)
    func anEnvironmentVariableOutOfRangeIsRefused(variables: [String: String], message: String) throws {
        let result = try Run.ballast(["validate", "--repo", NSTemporaryDirectory()], environment: variables)
        #expect(result.status == 1, "\(variables): \(result.status) \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A number in a file: an alarm's Period of 1e300 is a mistake at its line, not a crash.
    @Test func aHugeNumberInAFileIsAMistakeAtItsLine() throws {
        let repo = try TempRepository.desiredState("""
              - type: AWS::CloudWatch::Alarm
                id: huge
                properties: {Period: 1e300, Threshold: 1e308, EvaluationPeriods: 1.5e19}
            """ + "\n")
        let result = try Run.ballast(["validate", "--repo", repo.path])
        #expect(result.status == 1, "\(result.status) \(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("desired-state/test/resources.yaml:4:"), "\(result.stdout)")
    }
}
