@testable import BallastAWS
import BallastCore
import Foundation
import Testing

/// AWS's published SigV4 suite (Tests/BallastAWSTests/SigV4Suite, from aws-c-auth):
/// every case's canonical request, string to sign, signature and Authorization header.
@Suite struct SigV4SuiteTests {
    static let root = Bundle.module.url(forResource: "SigV4Suite", withExtension: nil)!

    static let cases: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0 + "/context.json").path)
        }.sorted()
    }()

    struct Case {
        let request: HTTPRequest
        let signer: SigV4Signer
        let date: Date
        let expected: (canonical: String, stringToSign: String, signature: String, authorization: String)
    }

    static func read(_ name: String, _ file: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name + "/" + file), encoding: .utf8)
    }

    /// Parses `request.txt` (an HTTP/1.1 request with folded header lines) and `context.json`.
    static func load(_ name: String) throws -> Case {
        let context = try JSON.parse(read(name, "context.json"))
        let raw = try read(name, "request.txt")
        let (head, body) =
            raw.range(of: "\n\n").map { (String(raw[..<$0.lowerBound]), String(raw[$0.upperBound...])) } ?? (raw, "")
        var lines = head.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].1 += " " + line.trimmingCharacters(in: .whitespaces)  // obs-fold
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        let host = headers.first { $0.0.lowercased() == "host" }!.1
        let request = HTTPRequest(
            method: method, url: "https://\(host)\(target)", headers: headers, body: Array(body.utf8))
        let c = context["credentials"]!
        var options = SigV4Signer.Options()
        options.normalizePath = context["normalize"]?.bool ?? true
        options.contentSHA256Header = context["sign_body"]?.bool ?? false
        options.omitSessionTokenFromSignature = context["omit_session_token"]?.bool ?? false
        let signer = SigV4Signer(
            credentials: Credentials(
                accessKeyId: c["access_key_id"]!.string!,
                secretAccessKey: c["secret_access_key"]!.string!,
                sessionToken: c["token"]?.string),
            region: context["region"]!.string!, service: context["service"]!.string!, options: options)
        let date = ISO8601DateFormatter().date(from: context["timestamp"]!.string!)!
        let signed = try read(name, "header-signed-request.txt")
        let authorization = signed.components(separatedBy: "\n").first { $0.hasPrefix("Authorization:") }!
            .dropFirst("Authorization:".count)
        return Case(
            request: request, signer: signer, date: date,
            expected: (
                try read(name, "header-canonical-request.txt"), try read(name, "header-string-to-sign.txt"),
                try read(name, "header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines),
                String(authorization).trimmingCharacters(in: .whitespaces)
            ))
    }

    @Test func theWholeSuiteIsHere() {
        #expect(Self.cases.count == 38, "cases found: \(Self.cases)")
    }

    @Test(arguments: SigV4SuiteTests.cases)
    func signsLikeAWS(_ name: String) throws {
        let test = try Self.load(name)
        var request = test.request
        let steps = test.signer.sign(&request, date: test.date)
        #expect(steps.canonicalRequest == test.expected.canonical)
        #expect(steps.stringToSign == test.expected.stringToSign)
        #expect(steps.signature == test.expected.signature)
        #expect(request.header("Authorization") == test.expected.authorization)
    }

    /// The signer's hand-written UTC timestamp agrees with Foundation's calendar, leap days, century
    /// years and the last second of a day included.
    @Test func theTimestampIsUTCAsFoundationSaysIt() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let samples: [Double] = [0, 951_782_400, 951_868_799, 4_107_542_400, 1_440_938_160, 253_402_300_799,
                                 -86_400, -1]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2_000).map { _ in Double(Int.random(in: -2_000_000_000...8_000_000_000, using: &generator)) }
        for seconds in samples + random {
            let date = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.year!, parts.month!, parts.day!,
                                  parts.hour!, parts.minute!, parts.second!)
            #expect(SigV4Signer.timestamp(date) == expected, "\(seconds)")
        }
    }

    @Test func credentialsNeverPrintTheirSecret() {
        let c = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                            sessionToken: "FQoGZXIvYXdzSESSIONTOKEN")
        let shown = "\(c)"
        #expect(!shown.contains("wJalr") && !shown.contains("FQoGZX") && !shown.contains("AKIDEXAMPLE"))
        #expect(shown == "Credentials(accessKeyId: *******MPLE, secret: <redacted>, token: <redacted>)")
    }
}
