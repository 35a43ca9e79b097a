@testable import BallastAWS
import BallastCore
import BallastTestSupport
import Foundation
import Testing

/// Each credential source, with temp files, environment and loopback endpoints;
/// the STS-backed ones against moto.
@Suite struct CredentialChainTests {
    let moto = MotoServer.shared

    /// An environment with no credentials anywhere, pointing STS at moto.
    func bareEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        ["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.endpoint, "AWS_EC2_METADATA_DISABLED": "true",
         "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent", "HOME": "/nonexistent"]
            .merging(extra) { _, new in new }
    }

    func resolve(_ environment: [String: String]) async throws -> ResolvedCredentials {
        try await AWSSetup(environment: environment).credentials.resolve()
    }

    func tempFile(_ content: String) throws -> String {
        let path = NSTemporaryDirectory() + "ballast-cred-" + UUID().uuidString
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func environmentVariables() async throws {
        let found = try await resolve(bareEnvironment(["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s",
                                                       "AWS_SESSION_TOKEN": "t"]))
        #expect(found.credentials == Credentials(accessKeyId: "AKIAENV", secretAccessKey: "s", sessionToken: "t"))
        #expect(found.source == "environment variables (AWS_ACCESS_KEY_ID)")
    }

    @Test func halfSetEnvironmentIsOneClearSentence() async throws {
        let error = await #expect(throws: CredentialError.self) {
            _ = try await resolve(bareEnvironment(["AWS_ACCESS_KEY_ID": "AKIAENV"]))
        }
        #expect(
            error?.description
                == "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together; only AWS_ACCESS_KEY_ID is set")
    }

    @Test func nothingConfiguredNamesEverySourceTried() async throws {
        let error = await #expect(throws: CredentialError.self) { _ = try await resolve(bareEnvironment()) }
        let text = try #require(error?.description)
        #expect(
            text.hasPrefix("no AWS credentials found; tried environment variables (AWS_ACCESS_KEY_ID), web identity"))
        #expect(text.contains("profile default (/nonexistent, /nonexistent)"))
        #expect(text.contains("ECS container endpoint") && text.hasSuffix("EC2 instance metadata (IMDSv2)"))
    }

    /// AssumeRoleWithWebIdentity is unsigned by design (the token is the proof); moto's
    /// authentication wants a signature on every request, so this one goes to the server without it.
    @Test func webIdentityAgainstMotoSTS() async throws {
        let token = try tempFile("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm9yZy9vcHMifQ.c2ln")
        let environment = bareEnvironment(["AWS_ENDPOINT_URL": MotoServer.unauthenticated.endpoint,
                                           "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/github-deploy",
                                           "AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_SESSION_NAME": "ci-run"])
        let found = try await resolve(environment)
        #expect(found.source.hasPrefix("web identity"))
        #expect(found.credentials.sessionToken != nil)
        #expect(found.credentials.expiration != nil)
        // The assumed identity works for signed calls.
        let identity = try await AWSSetup(environment: environment).client(region: "us-east-1").query(
            .sts, "GetCallerIdentity")
        #expect(identity.child("Arn")?.text.contains("assumed-role/github-deploy/ci-run") == true)
    }

    @Test func profileWithStaticKeysAndRegion() async throws {
        let credentials = try tempFile(
            "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = "
                + "d\n\n[ops]\naws_access_key_id=AKIAOPS\naws_secret_access_key=o\n"
        )
        let config = try tempFile("[profile ops]\nregion = eu-west-1\n")
        let environment = bareEnvironment(["AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config,
                                           "AWS_PROFILE": "ops", "AWS_REGION": ""])
        let found = try await resolve(environment)
        #expect(found.credentials.accessKeyId == "AKIAOPS")
        #expect(found.source.hasPrefix("profile ops"))
        #expect(AWSSetup(environment: environment).region() == .init(name: "eu-west-1", source: "profile ops"))
    }

    @Test func profileRoleArnWithSourceProfileAssumesTheRole() async throws {
        let key = moto.credentials
        let credentials = try tempFile("[base]\naws_access_key_id = \(key.id)\naws_secret_access_key = "
            + "\(key.secret)\n")
        let config = try tempFile("""
            [profile deploy]
            role_arn = arn:aws:iam::123456789012:role/ballast-apply
            source_profile = base
            role_session_name = ballast-test

            """)
        let found = try await resolve(
            bareEnvironment([
                "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config,
                "AWS_PROFILE": "deploy",
            ]))
        #expect(found.credentials.accessKeyId != key.id)
        #expect(found.credentials.sessionToken != nil)
        let client = AWSSetup(
            environment: bareEnvironment([
                "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config,
                "AWS_PROFILE": "deploy",
            ])
        ).client(region: "us-east-1")
        let identity = try await client.query(.sts, "GetCallerIdentity")
        #expect(identity.child("Arn")?.text.contains("assumed-role/ballast-apply/ballast-test") == true)
    }

    @Test func configSectionsThatAreNotProfilesAreIgnored() throws {
        let config = try tempFile(
            "[default]\nregion = us-east-1\n[profile ops]\nregion = eu-west-1\n"
                + "[sso-session corp]\nsso_region = us-east-1\n[ops-plain]\nregion = ap-south-1\n")
        let files = ProfileFiles(environment: [
            "AWS_CONFIG_FILE": config, "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        ])
        #expect(files.region(profile: "default") == "us-east-1")
        #expect(files.region(profile: "ops") == "eu-west-1")
        #expect(files.profile("sso-session corp") == nil && files.profile("corp") == nil)
        #expect(files.profile("ops-plain") == nil, "in config, a profile needs the 'profile ' prefix")
    }

    @Test func sourceProfileLoopsAndMissingProfilesAreClear() async throws {
        let config = try tempFile(
            "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = "
                + "arn:aws:iam::1:role/b\nsource_profile = a\n"
        )
        let loop = await #expect(throws: CredentialError.self) {
            _ = try await resolve(bareEnvironment(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "a"]))
        }
        #expect(loop?.description == "profiles form a source_profile loop: a -> b -> a")
        let missing = await #expect(throws: CredentialError.self) {
            _ = try await resolve(bareEnvironment(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "nope"]))
        }
        #expect(missing?.description.hasPrefix("AWS_PROFILE names profile 'nope', which is in neither") == true)
    }

    @Test func ssoProfilesAreAClearErrorNotASilentSkip() async throws {
        let config = try tempFile(
            "[profile sso-ops]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ops\n")
        let error = await #expect(throws: CredentialError.self) {
            _ = try await resolve(bareEnvironment(["AWS_CONFIG_FILE": config, "AWS_PROFILE": "sso-ops"]))
        }
        #expect(error?.description.hasPrefix("profile 'sso-ops' uses AWS IAM Identity Center (SSO)") == true)
    }

    @Test func credentialProcess() async throws {
        let script = try tempFile(
            "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"p\", "
                + "\"SessionToken\": \"pt\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n"
        )
        chmod(script, 0o755)
        let config = try tempFile("[default]\ncredential_process = \(script)\n")
        let found = try await resolve(bareEnvironment(["AWS_CONFIG_FILE": config]))
        #expect(found.credentials.accessKeyId == "AKIAPROC")
        #expect(found.credentials.expiration == ISO8601DateFormatter().date(from: "2099-01-01T00:00:00Z"))
        let failing = try tempFile("[default]\ncredential_process = /bin/false\n")
        let error = await #expect(throws: CredentialError.self) {
            _ = try await resolve(bareEnvironment(["AWS_CONFIG_FILE": failing]))
        }
        #expect(error?.description == "profile 'default': credential_process exited with status 1")
    }

    static let metadataDocument = #"{"Code":"Success","AccessKeyId":"AKIAMETA","SecretAccessKey":"m","Token":"mt","Expiration":"2099-01-01T00:00:00Z"}"#

    @Test func ecsContainerEndpointWithAuthorizationToken() async throws {
        let server = try LoopbackHTTPServer { request in
            guard request.path == "/v2/credentials/task", request.headers["authorization"] == "Bearer ecs-secret"
            else {
                return .response(status: 403, headers: [:], body: [])
            }
            return .response(
                status: 200, headers: ["Content-Type": "application/json"], body: Array(Self.metadataDocument.utf8))
        }
        let tokenFile = try tempFile("Bearer ecs-secret\n")
        let found = try await resolve(
            bareEnvironment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/v2/credentials/task",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            ]))
        #expect(
            found.credentials
                == Credentials(
                    accessKeyId: "AKIAMETA", secretAccessKey: "m", sessionToken: "mt",
                    expiration: ISO8601DateFormatter().date(from: "2099-01-01T00:00:00Z")))
        #expect(found.source.hasPrefix("ECS container endpoint"))
    }

    @Test func instanceMetadataV2UsesASessionToken() async throws {
        let server = try LoopbackHTTPServer { request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token") where request.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600":
                return .response(status: 200, headers: [:], body: Array("imds-token".utf8))
            case (_, _) where request.headers["x-aws-ec2-metadata-token"] != "imds-token":
                return .response(status: 401, headers: [:], body: [])
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                return .response(status: 200, headers: [:], body: Array("tolling-vision-node\n".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/tolling-vision-node"):
                return .response(status: 200, headers: [:], body: Array(Self.metadataDocument.utf8))
            default:
                return .response(status: 404, headers: [:], body: [])
            }
        }
        let found = try await resolve(bareEnvironment(["AWS_EC2_METADATA_DISABLED": "false",
                                                       "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url]))
        #expect(found.credentials.accessKeyId == "AKIAMETA")
        #expect(found.source == "EC2 instance metadata (IMDSv2)")
        #expect(server.requestCount == 3)
    }

    @Test func temporaryCredentialsAreCachedAndRefreshedBeforeExpiry() async throws {
        let counter = Locked(0)
        struct Expiring: CredentialProvider {
            let counter: Locked<Int>
            let name = "expiring"
            func credentials() async throws -> Credentials? {
                let n = counter.update { $0 += 1; return $0 }
                return Credentials(accessKeyId: "AKIA\(n)", secretAccessKey: "s", sessionToken: "t",
                                   expiration: Date(timeIntervalSince1970: 1_000_000 + 3600))
            }
        }
        let now = Locked(Date(timeIntervalSince1970: 1_000_000))
        let cache = CachedCredentials(Expiring(counter: counter), refreshMargin: 300, clock: { now.current })
        #expect(try await cache.resolve().credentials.accessKeyId == "AKIA1")
        #expect(try await cache.resolve().credentials.accessKeyId == "AKIA1", "cached")
        now.update { $0 = Date(timeIntervalSince1970: 1_000_000 + 3600 - 200) }  // inside the 5-minute margin
        #expect(try await cache.resolve().credentials.accessKeyId == "AKIA2", "refreshed before expiry")
    }

    // MARK: Hostile configuration

    @Test func aFullURIAnywhereButHTTPSLoopbackOrTheAgentsIsRefusedBeforeConnecting() async throws {
        let contacted = Locked(0)
        let server = try LoopbackHTTPServer { _ in
            contacted.update { $0 += 1 }
            return .response(status: 200, headers: [:], body: Array(#"{"AccessKeyId":"AKIAX","SecretAccessKey":"s"}"#.utf8))
        }
        for uri in ["http://198.51.100.7/creds", "file:///etc/passwd", "gopher://127.0.0.1:\(server.port)/x",
                    "http://169.254.169.254.nip.io/creds", "ftp://127.0.0.1:\(server.port)/"] {
            let error = await #expect(throws: CredentialError.self) {
                _ = try await resolve(bareEnvironment(["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri,
                                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN": "secret-token-123"]))
            }
            #expect(error?.description.contains("must be https, or http to a loopback address, 169.254.170.2, "
                + "169.254.170.23 or [fd00:ec2::23]") == true, "\(uri): \(error?.description ?? "")")
        }
        #expect(contacted.current == 0)
        #expect(ContainerCredentials.isLoopback("127.3.4.5") && ContainerCredentials.isLoopback("::1"))
        #expect(
            !ContainerCredentials.isLoopback("128.0.0.1") && !ContainerCredentials.isLoopback("127.0.0.1.evil.com"))
        // Loopback over http is allowed (the existing ECS test uses it); https is allowed anywhere.
        try ContainerCredentials.refuseUnlessAllowed("https://credentials.example.com/x")
        try ContainerCredentials.refuseUnlessAllowed("http://[fd00:ec2::23]/x")
    }

    @Test func curlSpeaksOnlyHTTPAndHTTPS() async throws {
        for url in ["file:///etc/hostname", "dict://127.0.0.1:1/", "gopher://127.0.0.1:1/"] {
            await #expect(throws: TransportError.self) {
                _ = try await CurlTransport().send(HTTPRequest(method: "GET", url: url))
            }
        }
    }

    @Test func anAnswerPastTheBoundIsNotReadAndTheHandleStillWorks() async throws {
        let server = try LoopbackHTTPServer { request in
            let size = request.path.hasSuffix("/big") ? 5_000 : 10
            return .response(status: 200, headers: [:], body: Array(repeating: UInt8(ascii: "x"), count: size))
        }
        let transport = CurlTransport(maxConcurrent: 1, maxResponseBytes: 1_024)
        do {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/big"))
            Issue.record("a 5,000-byte answer was read under a 1,024-byte bound")
        } catch let error as TransportError {
            #expect(error.message.hasSuffix("the answer is over 1024 bytes; not read"), "\(error)")
        }
        // The same (only) handle reads the next answer whole.
        let small = try await transport.send(HTTPRequest(method: "GET", url: server.url + "/small"))
        #expect(small.body.count == 10)
    }

    @Test func aCredentialProcessThatHangsIsStoppedWithItsChildren() async throws {
        let marker = NSTemporaryDirectory() + "ballast-hang-" + UUID().uuidString
        // The command's child keeps running (and holds stdout); it writes the marker if it survives.
        let script = try tempFile("#!/bin/sh\n(sleep 3; touch \(marker)) &\nsleep 30\n")
        chmod(script, 0o755)
        let config = try tempFile("[default]\ncredential_process = \(script)\n")
        let error = await #expect(throws: CredentialError.self) {
            _ = try await resolve(
                bareEnvironment(["AWS_CONFIG_FILE": config, "BALLAST_CREDENTIAL_PROCESS_TIMEOUT": "1"]))
        }
        #expect(
            error?.description
                == "profile 'default': credential_process did not finish within 1 s; it was stopped (its whole "
                    + "process group)"
        )
        try await Task.sleep(for: .seconds(3))
        #expect(!FileManager.default.fileExists(atPath: marker), "the command's child outlived it")

        // It exits, but leaves a child holding stdout: what it printed is used, and the child goes.
        let leaver = try tempFile(
            "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIALEFT\", \"SecretAccessKey\": \"s\"}'\n"
                + "(sleep 3; touch \(marker)) &\nexit 0\n")
        chmod(leaver, 0o755)
        let leaving = try tempFile("[default]\ncredential_process = \(leaver)\n")
        let found = try await resolve(bareEnvironment(["AWS_CONFIG_FILE": leaving]))
        #expect(found.credentials.accessKeyId == "AKIALEFT")
        try await Task.sleep(for: .seconds(3))
        #expect(!FileManager.default.fileExists(atPath: marker), "the child holding stdout outlived the command")
    }

    @Test func knownSecretsAndSignaturesAreScrubbed() {
        Secrets.register(
            Credentials(
                accessKeyId: "AKIASCRUBTEST0001", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+scrub",
                sessionToken: "FwoGZXIvYXdzEJr//scrub-token"))
        let echoed =
            "SignatureDoesNotMatch: Authorization: AWS4-HMAC-SHA256 Credential=AKIASCRUBTEST0001/20261130/us-east-1/"
            + "logs/aws4_request, SignedHeaders=host, Signature=" + String(repeating: "ab", count: 32)
            + "; X-Amz-Security-Token: FwoGZXIvYXdzEJr//scrub-token; secret wJalrXUtnFEMI/K7MDENG+scrub"
        #expect(
            Secrets.scrub(echoed)
                == "SignatureDoesNotMatch: Authorization: AWS4-HMAC-SHA256 Credential=<redacted>/20261130/"
                + "us-east-1/logs/aws4_request, SignedHeaders=host, Signature=<redacted>; X-Amz-Security-Token: "
                + "<redacted>; "
                + "secret <redacted>")
    }
}
