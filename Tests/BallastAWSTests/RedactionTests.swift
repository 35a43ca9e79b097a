@testable import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

@Suite struct RedactionTests {
    @Test func debugLogShowsRequestsButNoCredential() async throws {
        let lines = Locked<[String]>([])
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token = "FQoGZXIvYXdzEXAMPLETOKEN"
        // Made-up keys (the point is what the log shows of them): the server that checks no signature.
        let environment = MotoServer.unauthenticated.environment.merging(["AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                                                                 "AWS_SECRET_ACCESS_KEY": secret,
                                                                 "AWS_SESSION_TOKEN": token]) { _, new in new }
        let setup = AWSSetup(environment: environment)
        let client = AWSClient(region: "us-east-1", credentials: setup.credentials, transport: setup.transport,
                               endpoints: setup.endpoints, log: AWSLog { line in lines.update { $0.append(line) } })
        _ = try await client.query(.sts, "GetCallerIdentity")
        _ = try? await client.json(.dynamodb, "DescribeTable", .map(["TableName": .string("no-such-table")]))
        let text = lines.current.joined(separator: "\n")
        #expect(text.contains("-> GetCallerIdentity attempt 1: POST \(MotoServer.unauthenticated.endpoint)/"))
        #expect(text.contains("<- GetCallerIdentity: HTTP 200"))
        #expect(text.contains("Authorization: AWS4-HMAC-SHA256 Credential=<redacted>/"))
        #expect(text.contains("X-Amz-Security-Token: <redacted>"))
        #expect(text.contains("ResourceNotFoundException"))
        for leaked in [secret, token, "AKIAIOSFODNN7EXAMPLE"] {
            #expect(!text.contains(leaked), "the log must not contain \(leaked.prefix(6))…")
        }
        #expect(!containsHexRun(text, length: 64), "no signature may appear")
    }

    /// Every secret variable, and the credentials of any URL in any variable, whatever their length.
    @Test func theEnvironmentsSecretsAreRegisteredBeforeUse() {
        let values = Dictionary(uniqueKeysWithValues: Secrets.secretVariables.map {
            ($0, "\($0)-" + UUID().uuidString)
        })
        Secrets.register(environment: values.merging([
            "AWS_ENDPOINT_URL_S3": "https://proxy-user:pw@s3.example.test:8443/",
            "HTTPS_PROXY": "http://me:longer-proxy-secret@proxy.example.test",
        ]) { $1 })
        for value in values.values { #expect(Secrets.scrub("say \(value) twice") == "say <redacted> twice") }
        #expect(Secrets.scrub("proxy says longer-proxy-secret") == "proxy says <redacted>")
        // A short password is caught by the URL's shape, even in a URL never registered.
        #expect(Secrets.scrub("GET https://a:b@host.example/x and ftp://u:p@h")
            == "GET https://<redacted>@host.example/x and ftp://<redacted>@h")
        #expect(Secrets.scrub("mail ops@example.com, see https://example.com/@team") == "mail ops@example.com, see "
            + "https://example.com/@team")
    }

    @Test func accessKeysShowOnlyTheirLastFourCharacters() {
        #expect(Redaction.accessKey("AKIAIOSFODNN7EXAMPLE") == "****************MPLE")
    }
}

/// True if `text` holds `length` hex digits in a row (a SigV4 signature is 64).
func containsHexRun(_ text: String, length: Int) -> Bool {
    var run = 0
    for c in text.unicodeScalars {
        run = ("0"..."9").contains(c) || ("a"..."f").contains(c) ? run + 1 : 0
        if run >= length { return true }
    }
    return false
}
