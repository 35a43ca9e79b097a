import BallastCore
import BallastCrypto
import FoundationEssentials

/// AWS Signature Version 4. A value type; every step is its own function and the
/// clock is a parameter, so tests pin the date and compare each step with AWS's
/// published suite.
public struct SigV4Signer: Sendable {
    public struct Options: Sendable {
        /// Encode the (already encoded) wire path once more: every service but S3.
        public var doubleEncodePath = true
        /// Remove `.`/`..` segments and repeated slashes: every service but S3.
        public var normalizePath = true
        /// Send `x-amz-content-sha256` (S3 requires it).
        public var contentSHA256Header = false
        /// Add the session token after signing instead of signing it (a few services).
        public var omitSessionTokenFromSignature = false

        public init() {}

        public static let s3: Options = {
            var o = Options()
            o.doubleEncodePath = false
            o.normalizePath = false
            o.contentSHA256Header = true
            return o
        }()
    }

    public let credentials: Credentials
    public let region: String
    /// The signing name (`logs`, `dynamodb`, `execute-api`, ...).
    public let service: String
    public let options: Options

    public init(credentials: Credentials, region: String, service: String, options: Options = Options()) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    /// What signing produced, step by step (tests compare each with AWS's suite).
    public struct Steps: Sendable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
    }

    /// Adds `X-Amz-Date`, the token, the payload hash if wanted, and `Authorization`.
    @discardableResult
    public func sign(_ request: inout HTTPRequest, date: Date) -> Steps {
        let stamp = Self.timestamp(date)
        request.setHeader("X-Amz-Date", stamp)
        let payloadHash = Digest.hex(Digest.sha256(request.body))
        if options.contentSHA256Header { request.setHeader("x-amz-content-sha256", payloadHash) }
        if let token = credentials.sessionToken, !options.omitSessionTokenFromSignature {
            request.setHeader("X-Amz-Security-Token", token)
        }
        let (canonical, signedHeaders) = canonicalRequest(request, payloadHash: payloadHash)
        let scope = credentialScope(day: stamp.prefix(8))
        let toSign = stringToSign(canonical, timestamp: stamp, scope: scope)
        let signature = Digest.hex(Digest.hmacSHA256(key: signingKey(day: stamp.prefix(8)), Array(toSign.utf8)))
        request.setHeader("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)")
        if let token = credentials.sessionToken, options.omitSessionTokenFromSignature {
            request.setHeader("X-Amz-Security-Token", token)
        }
        return Steps(canonicalRequest: canonical, stringToSign: toSign, signature: signature)
    }

    // MARK: The steps

    /// The canonical request and the signed header list.
    public func canonicalRequest(_ request: HTTPRequest, payloadHash: String) -> (String, String) {
        let (path, query) = request.pathAndQuery
        var headers: [String: [String]] = [:]
        for (name, value) in request.headers {
            headers[name.lowercased(), default: []].append(Self.trimHeaderValue(value))
        }
        if headers["host"] == nil, let host = request.hostHeader { headers["host"] = [host] }
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.joined(separator: ","))\n" }.joined()
        let signed = names.joined(separator: ";")
        let canonical = [request.method, canonicalPath(path), Self.canonicalQuery(query),
                         canonicalHeaders, signed, payloadHash].joined(separator: "\n")
        return (canonical, signed)
    }

    public func credentialScope(_ date: Date) -> String {
        credentialScope(day: Self.timestamp(date).prefix(8))
    }

    func credentialScope(day: Substring) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }

    public func stringToSign(_ canonicalRequest: String, timestamp: String, scope: String) -> String {
        ["AWS4-HMAC-SHA256", timestamp, scope, Digest.hex(Digest.sha256(Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
    }

    public func signingKey(_ date: Date) -> [UInt8] {
        signingKey(day: Self.timestamp(date).prefix(8))
    }

    func signingKey(day stamp: Substring) -> [UInt8] {
        let day = Digest.hmacSHA256(key: Array(("AWS4" + credentials.secretAccessKey).utf8), Array(stamp.utf8))
        let regional = Digest.hmacSHA256(key: day, Array(region.utf8))
        let service = Digest.hmacSHA256(key: regional, Array(self.service.utf8))
        return Digest.hmacSHA256(key: service, Array("aws4_request".utf8))
    }

    // MARK: Helpers

    func canonicalPath(_ path: String) -> String {
        var p = path.isEmpty ? "/" : path
        if options.normalizePath { p = Self.normalize(p) }
        return options.doubleEncodePath ? PercentEncoding.encode(p, keepSlash: true) : p
    }

    /// RFC 3986 dot-segment removal and collapsed slashes; a trailing slash stays.
    static func normalize(_ path: String) -> String {
        var out: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { _ = out.popLast(); continue }
            out.append(segment)
        }
        let trailing = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        let joined = "/" + out.joined(separator: "/")
        return trailing && !out.isEmpty ? joined + "/" : joined
    }

    /// Parameters decoded, re-encoded strictly, and sorted by key then value.
    static func canonicalQuery(_ query: Substring) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (PercentEncoding.encode(PercentEncoding.decode(kv[0])),
                    PercentEncoding.encode(kv.count > 1 ? PercentEncoding.decode(kv[1]) : ""))
        }
        return pairs.sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(
            separator: "&")
    }

    /// Trims and collapses runs of spaces, as the canonical form wants.
    static func trimHeaderValue(_ value: String) -> String {
        // Most values have nothing to trim: one pass over the bytes says so.
        var previousSpace = true
        var clean = true
        for byte in value.utf8 {
            let space = byte == 0x20, other = byte == 0x09 || byte == 0x0A || byte == 0x0D
            if other || (space && previousSpace) {
                clean = false
                break
            }
            previousSpace = space
        }
        if clean && !previousSpace { return value }
        return value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    /// `20150830T123600Z`, UTC. Civil date from days since 1970 (Howard Hinnant's `civil_from_days`),
    /// digits written directly: the Calendar and `String(format:)` it replaces were a tenth of the
    /// client's CPU per request (`ballast-bench aws`, profiled with perf).
    static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let inDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var out = [UInt8]()
        out.reserveCapacity(16)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4); digits(month, 2); digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(inDay / 3_600, 2); digits(inDay / 60 % 60, 2); digits(inDay % 60, 2)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}
