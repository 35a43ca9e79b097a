/// RFC 3986 percent-encoding as SigV4 defines it: unreserved characters stay,
/// everything else becomes %XX with upper-case hex. Also a status page's links and a SARIF location's URI.
public enum PercentEncoding {
    public static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
    }

    public static func encode(_ s: String, keepSlash: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        for b in s.utf8 {
            if isUnreserved(b) || (keepSlash && b == 0x2F) {
                out.append(b)
            } else {
                out += [0x25, hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes %XX escapes (and leaves malformed ones as they are).
    public static func decode(_ s: some StringProtocol) -> String {
        var out = [UInt8]()
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == 0x25, bytes.count >= 2,
               let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16) {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `a=b&c=d` from pairs, each side encoded (a URL's query string).
    public static func form(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// An `application/x-www-form-urlencoded` body as botocore writes one (a space is
    /// `+`). AWS hashes the bytes it receives, so either form is valid there; writing
    /// botocore's lets an emulator that re-encodes the parsed form check the signature.
    public static func formBody(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1).replacing("%20", with: "+") }.joined(
            separator: "&")
    }
}
