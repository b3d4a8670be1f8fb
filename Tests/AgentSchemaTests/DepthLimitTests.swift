import Foundation
import Testing
@testable import AgentSchema

/// Every recursive parser of the BAML subset refuses what nests too deep with an error, never a
/// crash: 10,000 levels of brackets, parentheses or blocks.
@Suite("Depth limits")
struct DepthLimitTests {
    static let levels = 10_000

    @Test func jinjaExpressionsAndBlocks() throws {
        let parentheses = String(repeating: "(", count: Self.levels) + "1" + String(repeating: ")", count: Self.levels)
        #expect(throws: (any Error).self) { try JinjaTemplate("{{ \(parentheses) }}").render([:]) }
        let lists = String(repeating: "[", count: Self.levels) + String(repeating: "]", count: Self.levels)
        #expect(throws: (any Error).self) { try JinjaTemplate("{{ \(lists) }}").render([:]) }
        let negations = String(repeating: "not ", count: Self.levels) + "true"
        #expect(throws: (any Error).self) { try JinjaTemplate("{{ \(negations) }}").render([:]) }
        let blocks = String(repeating: "{% if true %}", count: Self.levels) + "x" + String(repeating: "{% endif %}", count: Self.levels)
        #expect(throws: (any Error).self) { try JinjaTemplate(blocks).render([:]) }
    }

    @Test func bamlTypes() throws {
        let maps = String(repeating: "map<string, ", count: Self.levels) + "int" + String(repeating: ">", count: Self.levels)
        #expect(throws: BAMLError.self) { try BAMLParser.parseType(maps) }
        let groups = String(repeating: "(", count: Self.levels) + "int" + String(repeating: ")", count: Self.levels)
        #expect(throws: BAMLError.self) { try BAMLParser.parseType(groups) }
        let file = "class A {\n  f " + maps + "\n}\n"
        #expect(throws: BAMLError.self) { try BAMLParser.parse(file) }
    }

    @Test func schemaAlignedParsingOfDeepJSON() throws {
        let parser = SchemaAlignedParser(schema: try BAMLParser.parse(""))
        for raw in [String(repeating: "[", count: Self.levels * 10), String(repeating: "{\"a\": ", count: Self.levels),
                    String(repeating: "[", count: Self.levels) + String(repeating: "]", count: Self.levels)] {
            _ = try? parser.parse(raw, as: try BAMLParser.parseType("string[]"), partial: false)
            _ = try? parser.parse(raw, as: try BAMLParser.parseType("map<string, string>"), partial: true)
        }
    }
}
