import Foundation

/// A moto server on a free loopback port, started once per test process; a
/// watchdog shell stops it within half a second of the process ending.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let service: LoopbackService

    /// The shared server, checking every request's signature and action; tests use
    /// unique resource names so they never collide.
    public static let shared: MotoServer = {
        do { return try MotoServer(authenticated: true) } catch { fatalError("cannot start moto_server: \(error)") }
    }()

    /// A second server that checks nothing, for the services moto cannot authenticate:
    /// Lambda and API Gateway (moto answers SignatureDoesNotMatch to a correct signature,
    /// boto3's too: for API Gateway, to every GET), and Secrets Manager, whose rotation calls
    /// Lambda inside the same moto. The shared environment routes them here;
    /// `SigningParityTests` checks their signatures against botocore's instead.
    public static let unauthenticated: MotoServer = {
        do { return try MotoServer(authenticated: false) } catch { fatalError("cannot start moto_server: \(error)") }
    }()

    /// Services whose requests go to `unauthenticated` (IAM too: the seeder makes the
    /// functions' execution roles there; ballast itself never calls IAM).
    public static let unauthenticatedServices = ["LAMBDA", "SECRETS_MANAGER", "IAM", "API_GATEWAY", "APIGATEWAYV2"]

    public let authenticated: Bool
    /// The operations moto lacks, answered in front of it (`StandIns/`): what reaches `port` goes
    /// to them first, everything else on to moto itself.
    public let standIns: StandIns
    let front: LoopbackHTTPServer
    /// moto's own port, behind the stand-ins.
    let motoPort: Int

    public init(authenticated: Bool = true) throws {
        self.authenticated = authenticated
        let motoPort = try LoopbackPort.free()
        self.motoPort = motoPort
        guard let binary = MotoServer.binary() else {
            throw TestFailure("moto_server not found: run scripts/install-deps.sh (pip install 'moto[server]')")
        }
        service = try LoopbackService("\"\(binary)\" -H 127.0.0.1 -p \(motoPort)", port: motoPort, name: "moto_server")
        let standIns = StandIns(motoPort: motoPort)
        self.standIns = standIns
        let writes = NSLock()
        front = try LoopbackHTTPServer { request in
            if let answer = standIns.answer(request) { return answer }
            // DynamoDB's conditional writes are atomic; moto's threaded server checks, then writes, unlocked,
            // so two at once can both pass (a lock table taken twice). One DynamoDB write at a time here.
            let target = request.headers["x-amz-target"] ?? ""
            let atomic =
                target.hasPrefix("DynamoDB_20120810.")
                && ["PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"].contains {
                    target.hasSuffix("." + $0)
                }
            if atomic { writes.lock() }
            defer { if atomic { writes.unlock() } }
            return LoopbackHTTPServer.forward(request, toPort: motoPort).map { .raw($0) } ?? .drop
        }
        port = front.port
        try configure()
        credentials = authenticated ? try enableAuthentication() : ("testing", "testing-secret")
        standIns.cloudControl.key.update { $0 = credentials }
    }

    /// The IAM user's access key every test signs with (see `enableAuthentication`).
    public private(set) var credentials: (id: String, secret: String) = ("", "")

    /// Turns on moto's request authentication, as real AWS has it: an IAM user with an
    /// allow-all policy is made while moto still takes anything, then moto is told to
    /// check every later request's SigV4 signature against that user's key and to
    /// authorize its action. A signing mistake in any service then fails a test.
    func enableAuthentication() throws -> (id: String, secret: String) {
        let user = "ballast-tests"
        _ = try iam("Action=CreateUser&UserName=\(user)")
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try iam("Action=PutUserPolicy&UserName=\(user)&PolicyName=everything&PolicyDocument="
            + (policy.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        let key = try iam("Action=CreateAccessKey&UserName=\(user)")
        func element(_ name: String) -> String? {
            guard let start = key.range(of: "<\(name)>"), let end = key.range(of: "</\(name)>",
                range: start.upperBound..<key.endIndex)
            else { return nil }
            return String(key[start.upperBound..<end.lowerBound])
        }
        guard let id = element("AccessKeyId"), let secret = element("SecretAccessKey") else {
            throw TestFailure("moto made no access key: \(key.prefix(200))")
        }
        _ = try post("/moto-api/reset-auth", body: "0", headers: ["Content-Type": "text/plain"])
        return (id, secret)
    }

    /// An IAM query call while moto checks nothing; the Authorization header only names the service.
    func iam(_ form: String) throws -> String {
        try post(
            "/", body: form + "&Version=2010-05-08",
            headers: [
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization":
                    "AWS4-HMAC-SHA256 Credential=setup/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, "
                        + "Signature=0",
            ])
    }

    /// A plain socket request: this runs inside a lazy static that async tests may reach,
    /// where waiting on a Task could deadlock.
    func post(_ path: String, body: String, headers: [String: String]) throws -> String {
        var raw = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { raw += "\(name): \(value)\r\n" }
        raw += "\r\n" + body
        let request = LoopbackHTTPServer.Request(method: "POST", path: path, headers: [:], raw: Array(raw.utf8))
        let answer =
            LoopbackHTTPServer.forward(request, toPort: port).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard answer.hasPrefix("HTTP/1.1 2") || answer.hasPrefix("HTTP/1.0 2") else {
            throw TestFailure("moto refused \(path) \(body.prefix(40)): \(answer.prefix(300))")
        }
        return answer
    }

    /// moto runs Lambda functions in Docker unless told not to, and Secrets
    /// Manager rotation invokes them. A plain socket call: this runs inside a
    /// lazy static that async tests may reach, where waiting on a Task could deadlock.
    func configure() throws {
        let body = #"{"lambda": {"use_docker": false}}"#
        let raw = "POST /moto-api/config HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        let request = LoopbackHTTPServer.Request(method: "POST", path: "/moto-api/config", headers: [:],
            raw: Array(raw.utf8))
        let answer =
            LoopbackHTTPServer.forward(request, toPort: port).map { String(decoding: $0, as: UTF8.self) } ?? ""
        guard answer.hasPrefix("HTTP/1.1 2") || answer.hasPrefix("HTTP/1.0 2") else {
            throw TestFailure("moto did not take its configuration: \(answer.prefix(80))")
        }
    }

    static func binary() -> String? {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/moto_server" }
            + [FileManager.default.currentDirectoryPath + "/.build-tools/venv/bin/moto_server"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The environment a ballast process needs to talk to this server: the test user's
    /// key, a region, the endpoint, and no instance-metadata lookups.
    public var environment: [String: String] {
        var variables = ["AWS_ACCESS_KEY_ID": credentials.id, "AWS_SECRET_ACCESS_KEY": credentials.secret,
            "AWS_REGION": "us-east-1",
                         "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true",
                         "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_CONFIG_FILE": "/nonexistent"]
        guard authenticated else { return variables }
        for service in Self.unauthenticatedServices {
            variables["AWS_ENDPOINT_URL_" + service] = Self.unauthenticated.endpoint
        }
        return variables
    }
}

/// Loopback ports for test servers.
public enum LoopbackPort {
    /// Binds port 0 on 127.0.0.1 and returns the port the kernel chose.
    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return try bindLoopback(fd)
    }

    /// Binds `fd` to 127.0.0.1 on `port` (0: any free port) and returns the port bound.
    static func bindLoopback(_ fd: Int32, port: Int = 0) throws -> Int {
        var address = loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0,
                socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestFailure("cannot bind a loopback port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Connects `fd` to 127.0.0.1:`port`.
    static func connectLoopback(_ fd: Int32, port: Int) -> Bool {
        var address = loopback(port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0,
                socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return connectLoopback(fd, port: port)
    }
}
