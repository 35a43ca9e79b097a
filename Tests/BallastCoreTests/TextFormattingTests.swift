import BallastCore
import Foundation
import Testing

/// ballast's binary links no Foundation (ICU alone was most of its size): these helpers stand in for the
/// `String(format:)`, trimming and percent-encoding it used, and are held to what Foundation writes.
@Suite struct TextFormattingTests {
    struct Numbers: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test func fixedDecimalsAreWhatPrintfWrites() {
        var numbers = Numbers(state: 1)
        for _ in 0..<20_000 {
            let value = Double.random(in: -5_000...5_000, using: &numbers) / Double([1, 10, 1_000][Int.random(
                in: 0...2, using: &numbers)])
            for digits in 0...3 {
                // printf writes a negative value that rounds to zero as "-0.00"; ballast writes "0.00".
                let printf = String(format: "%.\(digits)f", value)
                let wanted = printf.allSatisfy { "-0.".contains($0) } ? String(printf.drop { $0 == "-" }) : printf
                #expect(Figures.fixed(value, digits: digits) == wanted, "\(value) to \(digits)")
            }
        }
        #expect(Figures.fixed(41.666_666, digits: 2) == "41.67" && Figures.fixed(-0.001, digits: 2) == "0.00")
    }

    /// `%g` for the figures ballast prints (rates and bursts from 0.0001 to under a million).
    @Test func generalFiguresAreWhatPrintfWrites() {
        var numbers = Numbers(state: 2)
        var values: [Double] = [0, 1, 5, 0.5, 1.0 / 3, 2.5, 10, 50, 100, 1_200, 40_000, 0.0001, 999_999]
        for _ in 0..<20_000 {
            let scale = [1.0, 100, 10_000, 999_999][Int.random(in: 0...3, using: &numbers)]
            values.append(Double.random(in: 0.0001...1, using: &numbers) * scale)
        }
        for value in values {
            #expect(Figures.general(value) == String(format: "%g", value), "\(value)")
        }
    }

    @Test func paddingAndZeroPadding() {
        #expect(Figures.padded("abc", to: 5) == "abc  " && Figures.padded("abcdef", to: 4) == "abcd")
        for value in [0, 7, 42, 255, 1_439] {
            #expect(Figures.zeroPadded(value, width: 2) == String(format: "%02d", value))
            #expect(Figures.zeroPadded(value, width: 2, radix: 16) == String(format: "%02X", value))
        }
    }

    @Test func trimmingIsFoundations() {
        let pieces = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2003}", "\u{2028}",
                      "\u{3000}", "a", "é", "\u{200B}", "b c"]
        var numbers = Numbers(state: 3)
        for _ in 0..<5_000 {
            let text = (0..<Int.random(in: 0...6, using: &numbers)).map { _ in
                pieces[Int.random(in: 0..<pieces.count, using: &numbers)]
            }.joined()
            #expect(text.trimmed() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(text.trimmingSpaces() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        let unreserved = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        for text in ["/aws/lambda/x", "a b+c&d=e", "日本/😀", "%41", "~ok-._", ""] {
            #expect(PercentEncoding.encode(text) == text.addingPercentEncoding(withAllowedCharacters: unreserved))
            #expect(PercentEncoding.decode(PercentEncoding.encode(text)) == text)
        }
        #expect(PercentEncoding.encode("desired-state/a b.yaml", keepSlash: true) == "desired-state/a%20b.yaml")
    }
}
