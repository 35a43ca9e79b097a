import BallastCore
import Testing

/// The CEL subset's own rules, beside the conformance suite.
@Suite struct CELTests {
    func eval(_ source: String, _ variables: [String: CELValue] = [:]) throws -> CELValue {
        try CELExpression(source).evaluate(variables)
    }

    @Test func precedenceIsCELs() throws {
        #expect(try eval("1 + 2 * 3") == .int(7))
        #expect(try eval("(1 + 2) * 3") == .int(9))
        #expect(try eval("true || false && false") == .bool(true))
        #expect(try eval("!true || true") == .bool(true))
        #expect(try eval("1 < 2 == true") == .bool(true))
        #expect(try eval("false ? 1 : true ? 2 : 3") == .int(2))
        #expect(try eval("-2 * -3 % 4") == .int(2))
        #expect(try eval("2 in [1, 2] && 'a' in {'a': 1}") == .bool(true))
    }

    @Test func andOrAbsorbErrorsOnlyWhenTheOtherSideDecides() throws {
        let properties: [String: CELValue] = ["properties": .map([.string("MinSize"): .int(3)])]
        #expect(try eval("false && properties.Missing > 1", properties) == .bool(false))
        #expect(try eval("properties.Missing > 1 && false", properties) == .bool(false))
        #expect(try eval("properties.Missing > 1 || true", properties) == .bool(true))
        #expect(throws: CELError.self) { try eval("properties.Missing > 1 || false", properties) }
        #expect(throws: CELError.self) { try eval("true && properties.Missing > 1", properties) }
    }

    @Test func typeErrorsAndMissingFieldsAreErrorsWithTheirPosition() throws {
        let variables: [String: CELValue] = ["properties": .map([.string("RetentionInDays"): .string("thirty")])]
        #expect(throws: CELError("no matching overload for >= on (string, int)", at: 27)) {
            try eval("properties.RetentionInDays >= 30", variables)
        }
        #expect(throws: CELError("no such key: 'Retention'", at: 10)) { try eval("properties.Retention", variables) }
        #expect(throws: CELError("undeclared reference to 'propertes'", at: 0)) { try eval("propertes.X", variables) }
        #expect(throws: CELError("no matching overload for + on (int, double)", at: 2)) { try eval("1 + 1.5") }
        #expect(throws: CELError("division by zero", at: 2)) { try eval("1 / 0") }
        #expect(throws: CELError("integer overflow", at: 20)) { try eval("9223372036854775807 + 1") }
        #expect(throws: CELError("no matching overload for ?: on (int)", at: 2)) { try eval("1 ? 2 : 3") }
    }

    @Test func syntaxErrorsSayWhereAndWhat() {
        #expect(throws: CELError("expected ')' but found the end of the expression", at: 6)) {
            try CELExpression("(1 + 2")
        }
        #expect(
            throws: CELError(
                "unknown function 'max' (ballast's CEL subset has contains, endsWith, matches, size, startsWith)",
                at: 0)
        ) {
            try CELExpression("max(1, 2)")
        }
        #expect(throws: CELError("has() takes one field selection, like has(properties.MinSize)", at: 0)) {
            try CELExpression("has(x)")
        }
    }

    @Test func functions() throws {
        #expect(
            try eval("size('héllo') == 5 && size([1, 2]) == 2 && size({'a': 1}) == 1 && 'abc'.size() == 3")
                == .bool(true))
        #expect(
            try eval("'/aws/lambda/x'.startsWith('/aws/') && 'x.yaml'.endsWith('.yaml') && 'prod-api'.contains('-')")
                == .bool(true))
        #expect(
            try eval("'tolling-vision-prod-asg'.matches('^[a-z-]+-prod-asg$') && !'staging'.matches('prod')")
                == .bool(true))
        #expect(try eval("matches('abc', 'b')") == .bool(true))
        // RE2 forms the README names: classes, repetition, anchors, groups, alternation, (?i).
        #expect(
            try eval("'Prod-API'.matches('(?i)^prod-(api|web)$') && 'a1b22'.matches('^[a-z]\\\\d[a-z]\\\\d{2}$')")
                == .bool(true))
        #expect(throws: CELError.self) { try eval("'x'.matches('(')") }
        #expect(try eval("has({'a': 1}.a) && !has({'a': 1}.b)") == .bool(true))
        #expect(try eval("1 == 1.0 && [1] == [1.0] && 'a' != 1 && null == null") == .bool(true))
        #expect(try eval("2 < 2.5 && 'a' < 'b' && false < true") == .bool(true))
    }

    // MARK: Found by fuzzing (scripts/fuzz.sh cel): each once hung or crashed the parser.

    @Test func aNonASCIILetterIsAnErrorNotAnEndlessStreamOfTokens() {
        #expect(throws: CELError("unexpected character 'К'", at: 0)) { try CELExpression("К-324  / 2.0") }
        #expect(throws: CELError("unexpected character '٣'", at: 0)) { try CELExpression("٣ + 1") }
    }

    @Test func anAssertLongerThanTheTokenCapIsAMistake() {
        let long = Array(repeating: "1", count: 600).joined(separator: " + ")
        #expect(throws: CELError.self) { try CELExpression(long) }
        #expect(throws: CELError.self) { try CELExpression(String(repeating: "!", count: 100_000) + "true") }
    }
}
