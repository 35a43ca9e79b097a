import BallastCore
import Foundation
import Testing

@Suite struct ModelTests {
    @Test func numbersCompareByValue() {
        #expect(Value.int(80) == Value.double(80.0))
        #expect(Value.int(80) != Value.string("80"))
        #expect(Set([Value.int(1), Value.double(1)]).count == 1)
    }

    @Test func rangesContainTheirBoundsAndNearest() {
        let range = ValueRange(lower: .int(2), upper: .int(10))
        #expect(range.contains(.int(2)) && range.contains(.double(10)))
        #expect(!range.contains(.int(11)))
        #expect(range.nearestBound(to: .int(12)) == .int(10))
        #expect(range.nearestBound(to: .int(0)) == .int(2))
        #expect(range.nearestBound(to: .int(5)) == nil)
        #expect(ValueRange(lower: .int(30), upper: nil).description == "at least 30")
    }

    func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    @Test func changeWindowsAreUTCAndMayCrossMidnight() {
        // 2026-11-22 is a Sunday.
        let sunday = ChangeWindow(days: [.sunday], start: 120, end: 240)
        #expect(sunday.contains(utc("2026-11-22T02:00:00Z")))
        #expect(!sunday.contains(utc("2026-11-22T04:00:00Z")), "the end is exclusive")
        #expect(!sunday.contains(utc("2026-11-23T03:00:00Z")))
        let overnight = ChangeWindow(days: [.saturday], start: 22 * 60, end: 2 * 60)
        #expect(overnight.contains(utc("2026-11-21T23:30:00Z")))
        #expect(overnight.contains(utc("2026-11-22T01:59:00Z")), "belongs to the Saturday it started on")
        #expect(!overnight.contains(utc("2026-11-22T23:30:00Z")))
    }

    @Test func timesOfDay() {
        #expect(ChangeWindow.minutes(from: "02:30") == 150)
        #expect(ChangeWindow.minutes(from: "24:00") == 1440)
        #expect(ChangeWindow.minutes(from: "24:01") == nil)
        #expect(ChangeWindow.minutes(from: "2:30") == nil)
    }

    @Test func suggestions() {
        #expect(Suggestion.closest(to: "MinSise", in: ["MinSize", "MaxSize"]) == "MinSize")
        #expect(Suggestion.closest(to: "DesiredCap", in: ["DesiredCapacity"]) == "DesiredCapacity")
        #expect(Suggestion.closest(to: "Completely", in: ["MinSize"]) == nil)
    }

    /// Strings with and without escapes (the reader's fast path takes those without), unterminated
    /// ones refused, and what the writer writes read back as it was.
    @Test func stringsReadTheSameWithOrWithoutEscapes() throws {
        #expect(try JSON.parse(#"{"a":"plain","b":"tab\there","c":"q\"uote","d":"","e":"é ✓"}"#)
            == .map(["a": "plain", "b": "tab\there", "c": "q\"uote", "d": "", "e": "é ✓"]))
        #expect(try JSON.parse(#"["x\\", "\\y", "a\nb\u0041"]"#) == .list(["x\\", "\\y", "a\nbA"]))
        for bad in [#""open"#, #""esc\"#, #"{"k":"v}"#] {
            #expect(throws: JSON.ParseError.self) { try JSON.parse(bad) }
        }
        let value: Value = .map(["k\"ey": .list(["line\nbreak", "slash\\", "\u{1F600}", "plain"])])
        #expect(try JSON.parse(JSON.encode(value)) == value)
    }

    // MARK: Found by fuzzing (scripts/fuzz.sh planfile): each once crashed the JSON reader.

    @Test func aHighSurrogateFollowedByAnotherIsAnErrorNotATrap() throws {
        #expect(throws: JSON.ParseError.self) { try JSON.parse(Array(#""W\udbcc\udbcc"#.utf8)) }
        #expect(throws: JSON.ParseError.self) { try JSON.parse(#""\ud83d\u0041""#) }
        #expect(try JSON.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSON.parse(#""\ud83d""#) == .string("\u{FFFD}"))
    }

    @Test func nestingPastTheCapIsAnErrorNotAStackOverflow() {
        #expect(throws: JSON.ParseError.self) { try JSON.parse(String(repeating: "[", count: 100_000)) }
        #expect(throws: Never.self) {
            try JSON.parse(String(repeating: "[", count: 256) + String(repeating: "]", count: 256))
        }
    }
}
