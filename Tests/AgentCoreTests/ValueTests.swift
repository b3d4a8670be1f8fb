import Foundation
import Testing
@testable import AgentCore

@Suite("Values: JSON and Codable")
struct ValueTests {
    let sample: Value = [
        "text": "line 1\nline \"2\"\t\\ é 🚀 \u{01}", "int": -42, "double": 1.5, "whole": 2.0, "tiny": 1e-7, "flag": false, "nothing": nil,
        "list": [1, "two", [3.25], ["k": "v"]], "empty": [:], "none": [],
    ]

    @Test func jsonRoundTripsExactly() throws {
        let text = sample.compactJSON
        #expect(try Value.parseJSON(text) == sample)
        #expect(try Value.parseJSON(sample.jsonString(pretty: true)) == sample)
        #expect(text.hasPrefix(#"{"double":1.5,"empty":{},"flag":false,"int":-42,"#))  // keys sorted, compact
        #expect(Value.string("a\"b\\c\nd\u{01}").compactJSON == #""a\"b\\c\nd\u0001""#)
        #expect(Value.double(3).compactJSON == "3.0")
    }

    @Test func theReaderAgreesWithFoundation() throws {
        let text = #"{"a": [1, -2.5, true, null, "x\u00e9\ud83d\ude80"], "b": {"c": ""}}"#
        let ours = try Value.parseJSON(text)
        let foundation = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        #expect(ours == foundation)
        #expect(ours["a"]?.arrayValue?[4] == "xé🚀")
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 8), ("[1 2]", 3), ("\"open", 5), ("{\"a\" 1}", 5), ("tru", 0), ("01x", 2), ("", 0), ("[1] x", 4), ("-", 1),
    ])
    func malformedJSONIsRejectedWithItsOffset(text: String, offset: Int) {
        #expect(throws: JSONSyntaxError.self) { try Value.parseJSON(text) }
        do {
            _ = try Value.parseJSON(text)
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try Value.parseJSON(deep) }
    }

    struct Organization: Codable, Equatable {
        enum Kind: String, Codable { case charity, foundation }
        var ein: String
        var revenue: Int?
        var ratio: Double
        var kind: Kind
        var tags: [String]
        var extra: [String: Value]
        var nested: [[Int]]
    }

    @Test func encoderAndDecoderWorkWithoutJSON() throws {
        let organization = Organization(ein: "541230284", revenue: nil, ratio: 0.25, kind: .foundation, tags: ["a", "b"],
                                        extra: ["x": [1, nil]], nested: [[1, 2], []])
        let value = try Value(encoding: organization)
        #expect(value == ["ein": "541230284", "ratio": 0.25, "kind": "foundation", "tags": ["a", "b"], "extra": ["x": [1, nil]], "nested": [[1, 2], []]])
        #expect(try value.decode(Organization.self) == organization)
        #expect(try Value(json: value.compactJSON).decode(Organization.self) == organization)
    }

    @Test func decodingErrorsCarryTheFieldPath() {
        let bad: Value = ["ein": "1", "ratio": "high", "kind": "charity", "tags": [], "extra": [:], "nested": []]
        do {
            _ = try bad.decode(Organization.self)
            Issue.record("expected an error")
        } catch let DecodingError.typeMismatch(_, context) {
            #expect(context.codingPath.map(\.stringValue) == ["ratio"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
