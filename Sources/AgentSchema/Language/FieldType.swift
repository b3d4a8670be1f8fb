/// A BAML type expression: `string`, `int`, `Foo`, `Foo[]`, `map<string, int>`, `"a" | "b"`, `Foo?`.
public indirect enum FieldType: Sendable, Hashable, CustomStringConvertible {
    public enum Primitive: String, Sendable, Hashable {
        case string, int, float, bool, null
        /// Media inputs of a function (a URL, a file or base64 with its media type), never read from an answer.
        case image, audio, pdf, video

        /// Whether it is one of the media types.
        public var isMedia: Bool { [.image, .audio, .pdf, .video].contains(self) }
    }
    public enum Literal: Sendable, Hashable, CustomStringConvertible {
        case string(String), int(Int), bool(Bool)
        public var description: String {
            switch self {
            case .string(let text): "\"\(text)\""
            case .int(let number): String(number)
            case .bool(let flag): String(flag)
            }
        }
    }

    case primitive(Primitive)
    case literal(Literal)
    /// A class, an enum or a type alias, resolved against a schema.
    case named(String)
    case list(FieldType)
    case map(key: FieldType, value: FieldType)
    case union([FieldType])
    case optional(FieldType)
    /// A type with `@assert` / `@check` constraints (and streaming attributes) attached.
    case constrained(FieldType, FieldAttributes)

    public var description: String {
        switch self {
        case .primitive(let primitive): primitive.rawValue
        case .literal(let literal): literal.description
        case .named(let name): name
        case .list(let element): element.needsParentheses ? "(\(element))[]" : "\(element)[]"
        case .map(let key, let value): "map<\(key), \(value)>"
        case .union(let options): options.map(\.description).joined(separator: " | ")
        case .optional(let inner): inner.needsParentheses ? "(\(inner))?" : "\(inner)?"
        case .constrained(let base, _): base.description
        }
    }

    var needsParentheses: Bool {
        if case .union = self { return true }
        return false
    }

    /// The type without constraints.
    public var base: FieldType {
        if case .constrained(let base, _) = self { return base.base }
        return self
    }

    /// Whether a missing value is acceptable (optional, null, or a union with null).
    public var isOptional: Bool {
        switch self {
        case .optional, .primitive(.null): return true
        case .union(let options): return options.contains { $0.isOptional }
        case .constrained(let base, _): return base.isOptional
        default: return false
        }
    }
}

/// The attributes a field or type carries: constraints and streaming behaviour.
public struct FieldAttributes: Sendable, Hashable {
    public var constraints: [Constraint] = []
    /// `@stream.done`: the value appears only once complete.
    public var streamDone = false
    /// `@stream.not_null`: the containing object appears only once this is not null.
    public var streamNotNull = false
    /// `@stream.with_state`: the value is reported with its completion state.
    public var streamWithState = false

    public init(constraints: [Constraint] = [], streamDone: Bool = false, streamNotNull: Bool = false, streamWithState: Bool = false) {
        self.constraints = constraints
        self.streamDone = streamDone
        self.streamNotNull = streamNotNull
        self.streamWithState = streamWithState
    }

    public var isEmpty: Bool { constraints.isEmpty && !streamDone && !streamNotNull && !streamWithState }
}

/// `@assert(name, {{ expr }})` (fails the value) or `@check(name, {{ expr }})` (reported).
public struct Constraint: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable { case assert, check }
    public var level: Level
    public var name: String?
    /// The Jinja expression, without the braces.
    public var expression: String
}
