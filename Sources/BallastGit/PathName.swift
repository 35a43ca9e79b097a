/// A file name's bytes as text. A UTF-8 name is itself; in a name that is not UTF-8 (git and Linux
/// allow any bytes but `/` and NUL) each byte that is not UTF-8 shows as `\xNN`, and in every name
/// a backslash shows as `\\`: named by its bytes, no U+FFFD, and two different names never read alike.
public enum PathName {
    public static func text(_ bytes: [UInt8]) -> String {
        if !bytes.contains(UInt8(ascii: "\\")), let valid = String(validating: bytes, as: UTF8.self) { return valid }
        var out = ""
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3
                : lead >> 3 == 0b11110 ? 4 : 0
            if length > 0, index + length <= bytes.count,
               let scalar = String(validating: bytes[index..<index + length], as: UTF8.self) {
                out += scalar == "\\" ? "\\\\" : scalar
                index += length
            } else {
                out += "\\x" + hex(lead)
                index += 1
            }
        }
        return out
    }

    /// A C string (libgit2's, readdir's) by its bytes.
    public static func text(cString: UnsafePointer<CChar>) -> String {
        var bytes: [UInt8] = []
        var pointer = cString
        while pointer.pointee != 0 {
            bytes.append(UInt8(bitPattern: pointer.pointee))
            pointer += 1
        }
        return text(bytes)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
