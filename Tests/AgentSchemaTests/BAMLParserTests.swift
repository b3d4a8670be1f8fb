import Foundation
import Testing
@testable import AgentSchema

@Suite("BAML language")
struct BAMLParserTests {
    @Test func classesEnumsAliasesAndAttributes() throws {
        let schema = try BAMLParser.parse("""
            // Enums
            enum Category {
              ONE @alias(k1) @description("The first")
              TWO @alias("k-2")
              THREE @alias(NUMBER THREE)
            }
            class Task {
              type "server_action" @description(#"
                  A server action.
              "#)
              signature string @alias("function_signature")
              things (Thing1 | Thing2)[] @assert(short, {{ this|length < 4 }})
              score int? @check(positive, {{ this > 0 }}) @stream.with_state
              @@stream.done
            }
            class Thing1 { bar int }
            class Thing2 { bar int }
            type JsonValue = int | string | JsonValue[] | map<string, JsonValue>
            """)
        let category = try #require(schema.enums["Category"])
        #expect(category.values.map(\.renderedName) == ["k1", "k-2", "NUMBER THREE"])
        #expect(category.values[0].description == "The first")
        let task = try #require(schema.classes["Task"])
        #expect(task.fields.map(\.name) == ["type", "signature", "things", "score"])
        #expect(task.fields[0].type == .literal(.string("server_action")))
        #expect(task.fields[1].renderedName == "function_signature")
        guard case .constrained(let base, let attributes) = task.fields[2].type else { Issue.record("no constraint"); return }
        #expect(base == .list(.union([.named("Thing1"), .named("Thing2")])))
        #expect(attributes.constraints == [Constraint(level: .assert, name: "short", expression: "this|length < 4")])
        guard case .constrained(_, let scoreAttributes) = task.fields[3].type else { Issue.record("no check"); return }
        #expect(scoreAttributes.streamWithState && scoreAttributes.constraints.first?.level == .check)
        #expect(task.attributes.streamDone)
        #expect(schema.aliases["JsonValue"]?.type.description == "int | string | JsonValue[] | map<string, JsonValue>")
    }

    @Test func errorsNameFileLineColumnAndHint() {
        #expect(throws: BAMLError.self) { try BAMLParser.parse("class A {\n  b Strng\n}\n", file: "a.baml") }
        do {
            _ = try BAMLParser.parse("class A {\n  b Strng\n}\nclass String2 {}\n", file: "a.baml")
        } catch {
            #expect(error.description.hasPrefix("a.baml:2:3: error: unknown type 'Strng'"))
        }
        do {
            _ = try BAMLParser.parse("function F(x: string) -> string {\n  client Missing\n  prompt #\"hi\"#\n}\n", file: "f.baml")
        } catch {
            #expect(error.description.contains("f.baml:1:1: error: function F uses client 'Missing', which is not declared"))
            #expect(error.hint?.contains("client<llm> Missing") == true)
        }
    }

    @Test func functionsClientsRetryPoliciesAndTests() throws {
        let schema = try BAMLParser.parse("""
            retry_policy Patient {
              max_retries 3
              strategy { type exponential_backoff delay_ms 100 multiplier 2 max_delay_ms 1000 }
            }
            client<llm> Fast {
              provider openai
              retry_policy Patient
              options { model "gpt-4o-mini" api_key env.OPENAI_API_KEY }
            }
            client<llm> Both {
              provider fallback
              options { strategy [Fast, Fast] }
            }
            function Summarize(text: string, limit: int?) -> string {
              client Fast
              prompt #"
                {{ _.role("user") }} Summarize {{ text }}
              "#
            }
            test Short {
              functions [Summarize]
              args { text "hello" }
              @@assert(not_empty, {{ this|length > 0 }})
            }
            """)
        #expect(schema.retryPolicies["Patient"]?.strategy == .exponentialBackoff(milliseconds: 100, multiplier: 2, maxMilliseconds: 1000))
        #expect(schema.clients["Fast"]?.options["api_key"] == .string("env.OPENAI_API_KEY"))
        #expect(schema.clients["Both"]?.options["strategy"] == .list([.string("Fast"), .string("Fast")]))
        let function = try #require(schema.functions["Summarize"])
        #expect(function.parameters.map(\.name) == ["text", "limit"] && function.returnType == .primitive(.string))
        #expect(function.prompt.contains("{{ _.role(\"user\") }}"))
        #expect(schema.tests.first?.functions == ["Summarize"] && schema.tests.first?.constraints.count == 1)
    }
}

/// Files that BAML 0.226.3 rejects (`Benchmarks/peers/baml_accepts.py --rejected Fixtures/rejected`):
/// each is refused, with the problem at the line BAML names (for provider options, the client's line,
/// where BAML names the option's).
@Suite("BAML language: files BAML rejects")
struct RejectedFileTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/rejected")

    /// The line of each file's problem, and words its message must have.
    static let expected: [String: (line: Int, words: String)] = [
        "azure_no_base_url.baml": (1, "base_url"), "bedrock_api_key.baml": (1, "api_key"), "class_cycle.baml": (1, "Funder -> Officer"),
        "duplicate_class.baml": (4, "declared twice"), "duplicate_enum_value.baml": (4, "already defined"), "duplicate_field.baml": (3, "already defined"),
        "keyword_field.baml": (2, "keyword"), "lowercase_names.baml": (1, "uppercase"), "many_problems.baml": (3, "@skip"),
        "map_int_key.baml": (2, "map's keys"), "plain_string_prompt.baml": (3, "raw string"), "skip_required.baml": (2, "must be optional"),
        "unknown_property.baml": (4, "temperature"), "unknown_provider.baml": (1, "not one BAML knows"), "vertex_without_location.baml": (1, "location"),
    ]

    @Test func everyFileIsRefusedWhereBAMLRefusesIt() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".baml") }.sorted()
        #expect(files == Self.expected.keys.sorted())
        for file in files {
            let source = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
            do {
                _ = try BAMLParser.parse(source, file: file)
                Issue.record("\(file) was accepted")
            } catch {
                let first = try #require(Self.expected[file])
                #expect(error.position.line == first.line && error.message.contains(first.words), "\(file): \(error)")
                #expect(error.position.file == file && error.position.column >= 1)
            }
        }
    }

    @Test func checkListsEveryProblemOfAFile() throws {
        let source = try String(contentsOf: Self.folder.appendingPathComponent("many_problems.baml"), encoding: .utf8)
        do {
            _ = try BAMLParser.parse(source, file: "many_problems.baml")
            Issue.record("accepted")
        } catch {
            let all = [error] + error.others
            #expect(all.map(\.position.line) == [3, 9, 14, 17])
            #expect(all.last?.message.contains("client 'Missing'") == true)
        }
        let lowercase = try String(contentsOf: Self.folder.appendingPathComponent("lowercase_names.baml"), encoding: .utf8)
        #expect(throws: BAMLError.self) { try BAMLParser.parse(lowercase) }
        do { _ = try BAMLParser.parse(lowercase) } catch { #expect(([error] + error.others).map(\.position.line) == [1, 6]) }
    }
}

/// Files that BAML 0.226.3 itself accepts (`Benchmarks/peers/baml_accepts.py Fixtures/accepted`), each parsed as written.
@Suite("BAML language: files BAML accepts")
struct AcceptedFileTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/accepted")

    func schema(_ file: String) throws -> BAMLSchema {
        try BAMLParser.parse(try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8), file: file)
    }

    @Test func everyFileParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".baml") }
        #expect(files.count >= 17)
        for file in files { #expect(throws: Never.self, "\(file)") { _ = try schema(file) } }
    }

    @Test func aFoldersFilesIncludeThoseOfItsSubfolders() {
        let found = BAMLParser.sources(inDirectory: Self.folder.deletingLastPathComponent().path).map { ($0.path as NSString).lastPathComponent }
        #expect(found.contains("media_inputs.baml") && found.count >= 6)
    }

    @Test func mediaTypesAreParameterTypes() throws {
        let describe = try #require(try schema("media_inputs.baml").functions["Describe"])
        #expect(describe.parameters.map(\.type) == [.primitive(.image), .primitive(.audio), .primitive(.pdf), .primitive(.video)])
        let test = try #require(try schema("media_inputs.baml").tests.first)
        #expect(test.arguments["doc"] == .block(["base64": .string("JVBERi0xLjQK"), "media_type": .string("application/pdf")]))
    }

    @Test func testArgumentsMayUseColonsJSONAndCommas() throws {
        let tests = try schema("test_argument_forms.baml").tests
        #expect(tests.map(\.name) == ["ColonForm", "JSONForm"])
        #expect(tests.first?.arguments["p"] == .block(["name": .string("Ann"), "age": .number(3)]))
        #expect(tests.first?.arguments["tags"] == .list([.string("a"), .string("b")]))
        #expect(tests.last?.arguments["p"] == .block(["name": .string("Bob"), "age": .number(5)]))
        #expect(tests.last?.arguments["n"] == .number(2))
    }

    @Test func attributesOnTheirOwnLinesBelongToTheFieldOrValueAbove() throws {
        let schema = try schema("attributes_on_their_own_lines.baml")
        let person = try #require(schema.classes["Person"])
        #expect(person.fields.map(\.description) == ["the full name", "in years"])
        #expect(person.fields[1].alias == "years" && person.description == "someone")
        let color = try #require(schema.enums["Color"])
        #expect(color.values.first?.alias == "crimson" && color.isDynamic)
    }

    @Test func typesCarryTheirChecksOnAliasesReturnTypesAndParameters() throws {
        let schema = try schema("attributed_types.baml")
        guard case .constrained(_, let attributes)? = schema.aliases["ValidDate"]?.type else { Issue.record("no check on the alias"); return }
        #expect(attributes.constraints.map(\.name) == ["ten_characters"])
        guard case .constrained(_, let returned)? = schema.functions["Count"]?.returnType else { Issue.record("no check on the return type"); return }
        #expect(returned.constraints.first?.expression.contains("this > 0") == true)
        #expect(schema.functions["NextDate"]?.parameters.first?.type == .primitive(.string))   // a description says nothing of the value
    }

    @Test func testsWithParenthesesAndTypeBuildersAndClientForms() throws {
        #expect(try schema("tests_and_type_builders.baml").tests.map(\.name) == ["WithParentheses", "WithTypeBuilder"])
        let clients = try schema("client_forms.baml")
        #expect(clients.clients["MyClient"]?.provider == "openai")
        #expect(clients.functions["Shorthand"]?.client == "openai/gpt-4o-mini")
    }
}

@Suite("BAML language: check lists every problem")
struct EveryProblemTests {
    @Test func parseErrorsAndValidationProblemsAreAllReportedInOrder() {
        let source = """
            class A {
              b int @nope
            }
            class B {
              c Strng
            }
            function F(x: string) -> B {
              client Missing
              prompt #"{{ x }}"#
            }
            client<llm> Both {
              provider fallback
              options {
                strategy [Missing2]
              }
            }
            """
        do {
            _ = try BAMLParser.parse(source, file: "x.baml")
            Issue.record("no error")
        } catch {
            let all = [error] + error.others
            #expect(all.map { "\($0.position.line):\($0.position.column)" } == ["2:9", "7:1", "11:1"], "\(error)")
            #expect(all.map(\.message) == [
                "unknown attribute @nope",
                "function F uses client 'Missing', which is not declared",
                "client Both names 'Missing2' in its strategy, which is not declared",
            ])
        }
        do {
            _ = try BAMLParser.parse("class C {\n  d Strng\n}\n", file: "y.baml")
        } catch {
            #expect(error.description == "y.baml:2:3: error: unknown type 'Strng'\n    hint: did you mean 'string'?")
        }
    }
}
