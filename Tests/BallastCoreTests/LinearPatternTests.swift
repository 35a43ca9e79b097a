@testable import BallastCore
import Foundation
import Testing

/// Registry schema patterns, matched as ECMA-262 reads them (anywhere in the value unless anchored)
/// by a Thompson NFA: the same answers as a backtracking engine, in time linear in the value.
@Suite struct LinearPatternTests {
    @Test(arguments: [
        ("^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$", "etl-to-redshift", true),
        ("^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$", "etl--x", false),
        ("^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$", "9lives", false),
        ("[0-9]+", "abc123", true),                       // unanchored: found anywhere
        ("^[0-9]+$", "abc123", false),
        ("^arn:aws[a-z-]*:kinesis:\\S+$", "arn:aws:kinesis:us-east-1:1:stream/x", true),
        ("^\\d{3}-\\d{2,4}$", "123-4567", true),
        ("^\\d{3}-\\d{2,4}$", "123-45678", false),
        ("^\\d{3,}$", "12", false),
        ("^(ACTIVE|INACTIVE)$", "INACTIVE", true),
        ("^(ACTIVE|INACTIVE)$", "ACTIVATE", false),
        ("^[^/]+$", "a/b", false),
        ("^[\\w.-]+$", "my.bucket-name_1", true),
        ("^[\\w.-]+$", "my bucket", false),
        ("^.{1,5}$", "héllo", true),
        ("^a{0}$", "", true),
        ("x{2,", "x{2,", true),                          // a brace that is no quantifier is a literal
        ("^\\u0041\\x42$", "AB", true),
        ("^[]$", "", false),                             // `[]` matches nothing
        ("^(a|)$", "", true),
        ("^(a*)*$", "aaaa", true),
        // Unicode categories, as AWS's tag patterns write them.
        ("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "héllo wörld_1:/=+-@", true),
        ("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$", "a<b", false),
        ("^\\P{L}+$", "123", true),
        ("^\\P{L}+$", "12a", false),
        ("^[^\\p{Zs}]+$", "no space", false),
        ("^[\\w-.]+$", "a-b.c", true),                  // `-` after a class escape is itself (Annex B)
    ])
    func matchesAsECMA262Does(_ pattern: String, _ text: String, _ expected: Bool) throws {
        #expect(try LinearPattern(pattern).matches(text) == expected, "\(pattern) on \(text)")
    }

    /// What a linear-time engine cannot do is refused, so the value is "not checked", never guessed at.
    @Test(arguments: ["(a)\\1", "(?=a)", "(?!a)b", "(?<=a)b", "(?i)abc", "\\bword", "a**", "(abc", "abc)", "[a",
                      "\\p{Greek}", "\\p{L",
                      "a{2,1}", String(repeating: "a{1000}", count: 5)])
    func refusesWhatItCannotMatchInLinearTime(_ pattern: String) {
        #expect(throws: LinearPattern.Unsupported.self) { try LinearPattern(pattern) }
    }

    /// The patterns that hang a backtracking engine answer at once; the time is printed, not asserted.
    @Test func catastrophicPatternsAnswerAtOnce() throws {
        let cases = [("^(a+)+$", String(repeating: "a", count: 5_000) + "b"),
                     ("^[a-zA-Z](?:-?[a-zA-Z0-9]+)*$", String(repeating: "a", count: 5_000) + "_x"),
                     ("^(a|a)*$", String(repeating: "a", count: 5_000) + "!")]
        for (pattern, text) in cases {
            let compiled = try LinearPattern(pattern)
            let started = ContinuousClock.now
            #expect(!compiled.matches(text))
            print("\(pattern) on \(text.count) characters: \(ContinuousClock.now - started)")
        }
    }
}
