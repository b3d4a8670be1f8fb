import Testing
@testable import AgentCore

@Suite("Expressions")
struct ExpressionTests {
    let values: Value = ["data_quality": ["completeness_score": 0.4, "issues": ["a", "b"]], "name": "Acme", "count": 3, "flag": true, "nothing": nil]

    func eval(_ text: String) throws -> Value {
        try ExpressionParser.parse(text).evaluate { values.value(atPath: $0) }
    }

    @Test func comparesNumbersOfEitherKind() throws {
        #expect(try eval("{{ data_quality.completeness_score }} > 0.6") == false)
        #expect(try eval("{{ data_quality.completeness_score }} <= 0.4") == true)
        #expect(try eval("count == 3.0") == true)
        #expect(try eval("count != 3") == false)
        #expect(try eval("-1 < count") == true)
    }

    @Test func precedenceIsNotThenAndThenOr() throws {
        #expect(try eval("flag or count > 5 and false") == true)
        #expect(try eval("(flag or count > 5) and false") == false)
        #expect(try eval("not flag or name == 'Acme'") == true)
        #expect(try eval("!flag && count >= 3") == false)
    }

    @Test func stringsNullAndIndices() throws {
        #expect(try eval("name == \"Acme\"") == true)
        #expect(try eval("name < 'B'") == true)
        #expect(try eval("nothing == null") == true)
        #expect(try eval("nothing > 1") == false)  // ordering with null is false, not an error
        #expect(try eval("data_quality.issues[1] == 'b'") == true)
        #expect(try eval("data_quality.issues.0 == 'a'") == true)
        #expect(try eval("'1' == 1") == false)
    }

    @Test func unresolvedReferenceIsAnError() {
        #expect(throws: ExpressionError.unresolved("missing.path")) { try eval("missing.path > 1") }
    }

    @Test func dataCannotInjectSyntax() throws {
        // A value that looks like an expression is compared as a string, never re-parsed.
        let tricky: Value = ["input": "1 or true"]
        let result = try ExpressionParser.parse("{{ input }} == 'x'").evaluate { tricky.value(atPath: $0) }
        #expect(result == false)
    }

    @Test func referencesAreListedInOrder() throws {
        let expression = try ExpressionParser.parse("{{ a.b }} > 1 and not c or d.e.f == 'x'")
        #expect(expression.references == [["a", "b"], ["c"], ["d", "e", "f"]])
    }

    @Test(arguments: [
        ("score >> 3", 7, "expected a value, a name or '(', got '>'"),
        ("score = 3", 6, "'=' is not an operator"),
        ("(score > 3", 10, "expected ')' to close the '(' at column 1"),
        ("{{ score > 3", 12, "expected '}}' to close the '{{' at column 1"),
        ("name == 'open", 8, "unterminated string"),
        ("score > ", 8, "expected a value, a name or '(' but the expression ended"),
        ("a b", 2, "unexpected 'b' after a complete expression"),
        ("score # 3", 6, "unexpected character '#'"),
    ])
    func syntaxErrorsSayWhatAndWhere(source: String, offset: Int, message: String) {
        #expect(throws: ExpressionSyntaxError.self) { try ExpressionParser.parse(source) }
        do {
            _ = try ExpressionParser.parse(source)
        } catch {
            #expect(error.offset == offset)
            #expect(error.message == message)
        }
    }
}

@Suite("Templates")
struct TemplateTests {
    let scope: Value = ["org": ["ein": "54-1230284", "revenue": 1200], "fields": ["name", "state"]]

    func resolve(_ raw: Value) throws -> Value {
        try Template.compile(raw).resolve { scope.value(atPath: $0) }
    }

    @Test func aLoneTemplateKeepsItsType() throws {
        #expect(try resolve("{{ org }}") == ["ein": "54-1230284", "revenue": 1200])
        #expect(try resolve("{{ org.revenue }}") == 1200)
        #expect(try resolve("  {{ fields }}") == "  [\"name\",\"state\"]")
    }

    @Test func mixedTextInterpolatesToAString() throws {
        #expect(try resolve("EIN {{ org.ein }} earns {{ org.revenue }}") == "EIN 54-1230284 earns 1200")
    }

    @Test func listsAndObjectsResolveMemberByMember() throws {
        #expect(try resolve(["a": "{{ org.ein }}", "b": [1, "{{ org.revenue }}"]]) == ["a": "54-1230284", "b": [1, 1200]])
    }

    @Test func constantsStayConstant() throws {
        #expect(try Template.compile(["x": "plain", "y": 2]).isConstant)
    }

    @Test func unterminatedTemplateIsReportedWithItsOffset() {
        do {
            _ = try Template.compile("abc {{ org.ein")
            Issue.record("expected an error")
        } catch {
            #expect(error.error.offset == 4)
            #expect(error.error.message == "'{{' is never closed")
        }
    }
}

/// Conditions and templates refuse what nests too deep, with its column, instead of overflowing the stack.
@Suite("Expression depth")
struct ExpressionDepthTests {
    @Test(arguments: [10_000, 20_000, 50_000])
    func deeplyNestedConditionsAreRefused(_ levels: Int) throws {
        let parentheses = String(repeating: "(", count: levels) + "1 > 0" + String(repeating: ")", count: levels)
        do {
            _ = try ExpressionParser.parse(parentheses)
            Issue.record("accepted \(levels) levels")
        } catch {
            #expect(error.message.contains("deeper than \(ExpressionParser.maximumDepth)"))
            #expect(error.offset == ExpressionParser.maximumDepth)
        }
        #expect(throws: ExpressionSyntaxError.self) { try ExpressionParser.parse(String(repeating: "not ", count: levels) + "true") }
        #expect(throws: (any Error).self) { try Template.compile(.string("{{ \(parentheses) }}")) }
        // Reasonable nesting still parses.
        _ = try ExpressionParser.parse(String(repeating: "(", count: 30) + "a > 1" + String(repeating: ")", count: 30))
    }
}
