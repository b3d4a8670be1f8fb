import Testing
@testable import AgentCore

@Suite("Schemas")
struct SchemaTests {
    enum Focus: String, Codable, CaseIterable, SchemaEnumerable { case general, funding }

    struct Organization: Codable {
        var ein: String
        var revenue: Int?
        var tags: [String]
        var extra: [String: Double]
    }

    struct Input: Codable {
        var organization: Organization
        var focus: Focus
        var threshold: Double
        var anything: Value
        var enabled: Bool?
    }

    @Test func derivedFromCodableStructs() {
        let schema = Schema.derived(from: Input.self)
        #expect(schema == .object([
            .init("organization", .object([
                .init("ein", .string), .init("revenue", .optional(.integer)), .init("tags", .array(.string)), .init("extra", .map(.number)),
            ])),
            .init("focus", .enumeration(["general", "funding"])),
            .init("threshold", .number),
            .init("anything", .any),
            .init("enabled", .optional(.boolean)),
        ]))
    }

    @Test func violationsNameTheFieldPath() {
        let schema = Schema.derived(from: Input.self)
        let value: Value = [
            "organization": ["ein": nil, "tags": ["x", 3], "extra": ["a": "high"]],
            "focus": "other", "threshold": 1, "anything": [1, 2],
        ]
        let messages = schema.violations(of: value, at: "inputs").map(\.description)
        #expect(messages == [
            "inputs.organization.ein: expected string, got null",
            "inputs.organization.tags[1]: expected string, got integer",
            "inputs.organization.extra.a: expected number, got string",
            "inputs.focus: expected one of general, funding, got \"other\"",
        ])
    }

    @Test func missingRequiredFieldsAreReported() {
        let messages = Schema.derived(from: Input.self).violations(of: ["threshold": 0.5], at: "inputs").map(\.description)
        #expect(messages.contains("inputs.organization: required field is missing (expected object)"))
        #expect(!messages.contains { $0.hasPrefix("inputs.enabled") })
    }

    @Test func pathsIntoSchemas() {
        let schema = Schema.derived(from: Input.self)
        #expect(schema.schema(atPath: ["organization", "tags", "0"]) == .string)
        #expect(schema.schema(atPath: ["anything", "deep", "er"]) == .any)
        #expect(schema.schema(atPath: ["organization", "nope"]) == nil)
    }

    @Test func compatibility() {
        #expect(Schema.number.accepts(.integer))
        #expect(!Schema.integer.accepts(.number))
        #expect(Schema.string.accepts(.enumeration(["a"])))
        #expect(Schema.string.accepts(.optional(.string)))
        #expect(!Schema.boolean.accepts(.string))
    }

    @Test func jsonSchemaListsRequiredFields() {
        let json = Schema.derived(from: Organization.self).jsonSchema
        #expect(json["required"] == ["ein", "tags", "extra"])
        #expect(json["properties"]?["revenue"] == ["anyOf": [["type": "integer"], ["type": "null"]]])
    }
}
