import Foundation
import Testing
@testable import AgentSchema

@Suite("Jinja and prompts")
struct PromptTests {
    func render(_ template: String, _ variables: [String: BAMLValue] = [:]) throws -> String {
        try JinjaTemplate(template).render(variables)
    }

    @Test func loopsConditionsSetAndFilters() throws {
        let items: BAMLValue = .list([.string("a"), .string("b"), .string("c")])
        #expect(try render("{% for x in items %}{{ loop.index }}:{{ x|upper }}{% if not loop.last %}, {% endif %}{% endfor %}", ["items": items])
                == "1:A, 2:B, 3:C")
        #expect(try render("{% set n = items|length %}{% if n > 2 %}many{% elif n == 1 %}one{% else %}few{% endif %}", ["items": items]) == "many")
        #expect(try render("{% for x in [] %}x{% else %}empty{% endfor %}") == "empty")
        #expect(try render("{{ user.name ~ '!' }} {{ missing }}|{{ 7 // 2 }} {{ 'b' in ['a', 'b'] }}", ["user": .object([.init("name", .string("Ann"))])])
                == "Ann! |3 true")   // booleans print as BAML (minijinja) prints them
        #expect(try render("a  {#- note -#}  b\n{%- if true %} c{% endif -%}\n d") == "ab cd")
    }

    @Test func templateErrorsHaveLineAndColumn() {
        #expect(throws: JinjaTemplate.TemplateError.self) { try JinjaTemplate("line\n{% if x %}never closed") }
        do {
            _ = try JinjaTemplate("one\ntwo {{ a + }}", file: "p.jinja").render([:])
        } catch {
            #expect(error.description.hasPrefix("p.jinja:2:"))
        }
    }

    @Test func functionPromptsRenderRolesAndTheOutputFormat() throws {
        let schema = try BAMLParser.parse("""
            enum Level { LOW @description("little risk") HIGH }
            class Review {
              level Level
              reasons string[] @description("why, briefly")
              score float?
            }
            template_string Bullet(text: string) #"- {{ text }}"#
            function Judge(name: string, facts: string[]) -> Review {
              client "openai/gpt-4o-mini"
              prompt #"
                You review nonprofits.
                {{ _.role("user") }}
                Organization: {{ name }}
                {% for fact in facts %}{{ Bullet(fact) }}
                {% endfor %}
                {{ ctx.output_format }}
              "#
            }
            """)
        let messages = try PromptRenderer(schema: schema).render(function: "Judge", arguments: [
            "name": .string("Virginia Primary Care"), "facts": .list([.string("10 months of reserve"), .string("HHI 0.93")]),
        ])
        #expect(messages.map(\.role) == ["system", "user"])
        #expect(messages[0].content == "You review nonprofits.")
        #expect(messages[1].content.contains("Organization: Virginia Primary Care\n- 10 months of reserve"))
        #expect(messages[1].content.hasSuffix("""
            Level
            ----
            - LOW: little risk
            - HIGH

            Answer in JSON using this schema:
            {
              level: Level,
              // why, briefly
              reasons: string[],
              score: float or null,
            }
            """))
        #expect(OutputFormat(schema: schema).render(.named("Level")) == "Answer with any of the categories:\nLevel\n----\n- LOW: little risk\n- HIGH")
        #expect(throws: PromptRenderer.RenderError.self) { try PromptRenderer(schema: schema).render(function: "Judge", arguments: [:]) }
    }
}

/// Prompts rendered exactly as baml-py 0.226.3 renders the same functions and arguments
/// (`Fixtures/render/expected.json`, from `Benchmarks/peers/baml_render_reference.py`).
@Suite("Prompts as BAML renders them")
struct RenderParityTests {
    @Test func everyFunctionRendersAsBAMLDoes() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/render")
        let schema = try BAMLParser.parse(files: BAMLParser.sources(inDirectory: folder.path))
        let arguments = try JSONDecoder().decode([String: [String: JSON]].self, from: Data(contentsOf: folder.appendingPathComponent("arguments.json")))
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: [[String]]])
        #expect(expected.count == arguments.count && !expected.isEmpty)
        for (function, messages) in expected.sorted(by: { $0.key < $1.key }) {
            let rendered = try PromptRenderer(schema: schema).render(function: function, arguments: (arguments[function] ?? [:]).mapValues(\.baml))
            #expect(rendered.map { [$0.role, $0.content] } == messages, "\(function)")
        }
    }
}

/// A JSON value of a fixture, decoded, as a BAML value.
enum JSON: Decodable {
    case null, bool(Bool), int(Int), float(Double), string(String), list([JSON]), object([String: JSON])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Int.self) { self = .int(number) }
        else if let number = try? container.decode(Double.self) { self = .float(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let items = try? container.decode([JSON].self) { self = .list(items) }
        else { self = .object(try container.decode([String: JSON].self)) }
    }

    var baml: BAMLValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .int(let number): .int(number)
        case .float(let number): .float(number)
        case .string(let text): .string(text)
        case .list(let items): .list(items.map(\.baml))
        case .object(let members): .object(members.keys.sorted().map { BAMLValue.Field($0, members[$0]?.baml ?? .null) })
        }
    }
}
