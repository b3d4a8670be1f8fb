/// Schema-aligned parsing: reads an LLM's raw text as a value of a BAML type, forgiving what
/// models get wrong (prose around JSON, markdown fences, unquoted keys, trailing commas, a value
/// where a list was asked, `"$1,234"` for an int, `Two` for the enum value `TWO`), as BAML does.
public struct SchemaAlignedParser: Sendable {
    public let schema: BAMLSchema
    private let index: SchemaIndex

    public init(schema: BAMLSchema) {
        self.schema = schema
        index = SchemaIndex(schema: schema)
    }

    /// Reads `raw` as a `target`.
    /// - Parameters:
    ///   - raw: the model's text.
    ///   - target: the type to read.
    ///   - partial: the text is a response still streaming (missing fields are null, incomplete
    ///     numbers are left out, `@stream.*` attributes apply).
    ///   - streamingShape: wrap `@stream.with_state` fields as `{value, state}` and `@check`ed
    ///     fields as `{value, checks}`.
    /// - Throws: `ParseError` saying why no value of the type could be read.
    public func parse(_ raw: String, as target: FieldType, partial: Bool = false, streamingShape: Bool = false) throws(ParseError) -> BAMLValue {
        guard let value = JSONishParser.parse(raw, complete: !partial) else {
            throw ParseError(path: [], message: "the text could not be read")
        }
        let coercer = Coercer(schema: schema, index: index, partial: partial)
        return try coercer.coerce(target, value, Coercer.Context()).value(streaming: streamingShape)
    }
}
