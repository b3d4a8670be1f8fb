/// The shape of a tool's input or output: a small subset of JSON Schema, enough to validate
/// values before a tool runs and to type-check workflow references before a run starts.
public indirect enum Schema: Sendable, Hashable {
    /// Any value at all (`Value` fields).
    case any
    case string
    case integer
    case number
    case boolean
    /// One of a fixed set of strings.
    case enumeration([String])
    case array(Schema)
    /// A map with string keys and values of one schema.
    case map(Schema)
    case object([Field])
    /// The wrapped schema, or `null`.
    case optional(Schema)

    /// A named member of an object schema.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var schema: Schema
        public var description: String?

        public init(_ name: String, _ schema: Schema, description: String? = nil) {
            self.name = name
            self.schema = schema
            self.description = description
        }

        /// A field is required unless its schema is optional.
        public var isRequired: Bool {
            if case .optional = schema { return false }
            return true
        }
    }

    /// The schema without its optional wrapper.
    public var unwrapped: Schema {
        if case .optional(let inner) = self { return inner.unwrapped }
        return self
    }

    /// The schema of the member at `path`, or `nil` when the path does not exist.
    /// Paths through `.any` are always accepted (and yield `.any`).
    public func schema(atPath path: ArraySlice<String>) -> Schema? {
        guard let first = path.first else { return self }
        switch unwrapped {
        case .any: return .any
        case .object(let fields):
            return fields.first { $0.name == first }?.schema.schema(atPath: path.dropFirst())
        case .map(let element):
            return element.schema(atPath: path.dropFirst())
        case .array(let element):
            return Int(first) == nil ? nil : element.schema(atPath: path.dropFirst())
        default: return nil
        }
    }

    /// Names of the fields of an object schema (for "fields that exist" messages).
    public var fieldNames: [String] {
        if case .object(let fields) = unwrapped { return fields.map(\.name) }
        return []
    }

    /// A short human-readable name (`string`, `array of integer`, `object`, …).
    public var displayName: String {
        switch self {
        case .any: "any"
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .enumeration(let values): "one of \(values.joined(separator: ", "))"
        case .array(let element): "array of \(element.displayName)"
        case .map(let element): "map of \(element.displayName)"
        case .object: "object"
        case .optional(let inner): "\(inner.displayName) or null"
        }
    }

    /// The schema as a JSON Schema document, for `tools list --format json` and the API.
    public var jsonSchema: Value {
        switch self {
        case .any: return .object([:])
        case .string: return ["type": "string"]
        case .integer: return ["type": "integer"]
        case .number: return ["type": "number"]
        case .boolean: return ["type": "boolean"]
        case .enumeration(let values): return ["type": "string", "enum": .array(values.map(Value.string))]
        case .array(let element): return ["type": "array", "items": element.jsonSchema]
        case .map(let element): return ["type": "object", "additionalProperties": element.jsonSchema]
        case .object(let fields):
            var properties: [String: Value] = [:]
            for field in fields {
                var property = field.schema.jsonSchema
                if let description = field.description, case .object(var members) = property {
                    members["description"] = .string(description)
                    property = .object(members)
                }
                properties[field.name] = property
            }
            return [
                "type": "object", "properties": .object(properties),
                "required": .array(fields.filter(\.isRequired).map { .string($0.name) }),
            ]
        case .optional(let inner):
            return ["anyOf": [inner.jsonSchema, ["type": "null"]]]
        }
    }
}
