import Foundation
import Testing
@testable import AgentSchema

/// Schema-aligned parsing, case by case, as BAML's parser behaves.
@Suite("Schema-aligned parsing")
struct SchemaAlignedParserTests {
    func parse(_ raw: String, _ target: String, _ baml: String = "", partial: Bool = false) throws -> BAMLValue {
        try SchemaAlignedParser(schema: try BAMLParser.parse(baml)).parse(raw, as: try BAMLParser.parseType(target), partial: partial)
    }

    func fails(_ raw: String, _ target: String, _ baml: String = "") -> Bool {
        (try? parse(raw, target, baml)) == nil
    }

    /// The 60 cases of BAML's own test-suite, and our own cases whose `expected` baml-py 0.226.3
    /// gave (`Benchmarks/peers/baml_sap_reference.py`): enum values written loosely, missing lists,
    /// objects in prose, numbers in text, nested broken JSON, fences, partial values, aliases.
    @Test(arguments: [("sap_sample_cases.jsonl", 60), ("sap_parity_cases.jsonl", 212)])
    func everyCaseGivesBAMLsResult(_ file: String, _ count: Int) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(file)")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == count)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let id = object["id"] as? String ?? "?"
            let shape = object["macro"] as? String == "test_partial_deserializer_streaming"
            let parser = SchemaAlignedParser(schema: try BAMLParser.parse(object["baml"] as? String ?? ""))
            let target = try BAMLParser.parseType(object["target"] as? String ?? "")
            let result = try? parser.parse(object["raw"] as? String ?? "", as: target, partial: object["partial"] as? Bool ?? false, streamingShape: shape)
            if object["should_fail"] as? Bool == true {
                #expect(result == nil, "\(id) should fail, gave \(result?.json ?? "")")
            } else {
                let expected = try JSONSerialization.data(withJSONObject: object["expected"] ?? NSNull(), options: [.fragmentsAllowed])
                let got = try result.map { try JSONSerialization.jsonObject(with: Data($0.json.utf8), options: [.fragmentsAllowed]) }
                let want = try JSONSerialization.jsonObject(with: expected, options: [.fragmentsAllowed])
                #expect(got.map { NSDictionary(dictionary: ["v": $0]).isEqual(NSDictionary(dictionary: ["v": want])) } == true,
                        "\(id): expected \(String(decoding: expected, as: UTF8.self)), got \(result?.json ?? "a failure")")
            }
        }
    }

    @Test func numbersAsPeopleWriteThem() throws {
        #expect(try parse("12,111", "int") == .int(12111))
        #expect(try parse("$1,234.56", "float") == .float(1234.56))
        #expect(try parse("1/2", "float") == .float(0.5))
        #expect(try parse("12.7", "int") == .int(13))
        #expect(try parse("\"42\"", "int") == .int(42))
        #expect(try parse("1,23,4", "int") == .int(1234))            // as baml-py: commas dropped
        #expect(try parse("There are 12 apples", "int") == .int(12))  // the one number in the text
        #expect(fails("between 3 and 5", "int"))                     // two numbers: none
        #expect(fails("twelve", "int"))
    }

    @Test func stringsKeepTheRawTextButFieldsAreUnquoted() throws {
        #expect(try parse("\"hello\"", "string") == .string("\"hello\""))
        #expect(try parse("{\"a\": \"hello\"}", "Foo", "class Foo { a string }") == .object([.init("a", .string("hello"))]))
    }

    @Test func fixingParserRepairsWhatModelsWrite() throws {
        let foo = "class Foo { a int\n b string[]\n c string? }"
        let expected = BAMLValue.object([.init("a", .int(1)), .init("b", .list([.string("x"), .string("y")])), .init("c", .null)])
        #expect(try parse("{a: 1, b: ['x', \"y\",],}", "Foo", foo) == expected)
        #expect(try parse("Sure! ```json\n{\"a\": 1, // one\n \"b\": [\"x\", \"y\"]}\n```", "Foo", foo) == expected)
        #expect(try parse("{\"a\": 1, /* note */ \"b\": [\"x\", \"y\"]", "Foo", foo) == expected)   // unclosed
        #expect(try parse("{\"a\": 1, \"b\": \"x\"}", "Foo", foo)["b"] == .list([.string("x")]))   // single value to list
    }

    @Test func missingRequiredFieldFailsButOptionalBecomesNull() throws {
        let foo = "class Foo { a int\n b string? }"
        #expect(fails("{\"b\": \"x\"}", "Foo", foo))
        #expect(try parse("{\"a\": 2}", "Foo", foo) == .object([.init("a", .int(2)), .init("b", .null)]))
        #expect(try parse("{\"a\": 2, \"b\": {\"nested\": true}}", "Foo", foo)["b"] == .string("{nested: true}"))
    }

    @Test func enumsMatchAliasesCaseAndAccentsButNotAmbiguously() throws {
        let baml = "enum Color {\n RED @alias(\"rouge\")\n GREEN\n BLUE @description(\"the sky\")\n}"
        #expect(try parse("ROUGE", "Color", baml) == .string("RED"))
        #expect(try parse("I'd say green.", "Color", baml) == .string("GREEN"))
        #expect(try parse("the sky", "Color", baml) == .string("BLUE"))
        #expect(try parse("green or rouge", "Color", baml) == .string("RED"))   // the exact-case pass finds only "rouge"
        #expect(fails("GREEN or rouge", "Color", baml))                          // one each: ambiguous
        #expect(try parse("[\"GREEN\", \"purple\", \"BLUE\"]", "Color[]", baml) == .list([.string("GREEN"), .string("BLUE")]))
    }

    @Test func unionsPickTheReadingWithFewestFixes() throws {
        #expect(try parse("1.5", "int | float") == .float(1.5))
        #expect(try parse("3", "int | float") == .int(3))
        #expect(try parse("{\"x\": 1}", "A | B", "class A { y int }\nclass B { x int }") == .object([.init("x", .int(1))]))
        #expect(try parse("true", "bool | string") == .bool(true))
    }

    @Test func assertsFailAndChecksReport() throws {
        let baml = "class N { n int @assert(positive, {{ this > 0 }}) }\nclass M { n int @check(small, {{ this < 10 }}) }"
        #expect(fails("{\"n\": -1}", "N", baml))
        #expect(try parse("[{\"n\": -1}, {\"n\": 2}]", "N[]", baml) == .list([.object([.init("n", .int(2))])]))   // dropped inside a list
        let checked = try SchemaAlignedParser(schema: try BAMLParser.parse(baml)).parse("{\"n\": 12}", as: .named("M"), streamingShape: true)
        #expect(checked["n"]?["checks"]?["small"]?["status"] == .string("failed"))
        #expect(checked["n"]?["value"] == .int(12))
    }

    @Test func partialResponsesStreamStringsAndWaitForNumbers() throws {
        let baml = "class Doc { title string\n count int\n tags string[] }"
        let value = try parse("{\"title\": \"Annual rep", "Doc", baml, partial: true)
        #expect(value == .object([.init("title", .string("Annual rep")), .init("count", .null), .init("tags", .list([]))]))   // a missing list is []
        #expect(try parse("{\"title\": \"A\", \"count\": 12", "Doc", baml, partial: true)["count"] == .null)
        #expect(try parse("{\"title\": \"A\", \"count\": 12,", "Doc", baml, partial: true)["count"] == .int(12))
    }

    @Test func recursiveTypesTerminate() throws {
        let baml = "type J = int | string | J[] | map<string, J>"
        #expect(try parse("{\"a\": [1, {\"b\": \"c\"}]}", "J", baml)
                == .object([.init("a", .list([.int(1), .object([.init("b", .string("c"))])]))]))
        #expect(try parse("{\"next\": {\"next\": null}}", "Node", "class Node { next Node? }")
                == .object([.init("next", .object([.init("next", .null)]))]))
    }

    /// A seeded random-input run: no crash, no hang (the long run is `Benchmarks/run.sh sap-fuzz`).
    @Test func randomInputsNeverCrashOrHang() throws {
        let baml = "class Foo { a int\n b string[]\n c Foo? }\nenum E { X\n Y @alias(\"why\") }\ntype J = int | string | J[] | map<string, J>"
        let parser = SchemaAlignedParser(schema: try BAMLParser.parse(baml))
        let targets = try ["Foo", "E[]", "J", "int | string", "map<string, Foo>", "(Foo | E)[]"].map(BAMLParser.parseType)
        var generator = SAPFuzzer(seed: 7)
        let clock = ContinuousClock()
        for index in 0..<2_000 {
            let input = generator.next()
            let start = clock.now
            _ = try? parser.parse(input, as: targets[index % targets.count], partial: index % 3 == 0)
            // A hang guard, not a speed check (that is the benchmark): inputs take microseconds, but a
            // loaded machine once made one take 1.2 s of wall time.
            #expect(clock.now - start < .seconds(10), "hanging input: \(input.debugDescription)")
        }
    }
}
