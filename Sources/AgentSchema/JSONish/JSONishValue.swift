/// Whether a parsed piece of text was closed (a string's quote, an object's brace) or cut off.
enum Completion: Sendable {
    case complete, incomplete
}

/// A number as the text gave it: integers stay integers.
enum JSONishNumber: Sendable, CustomStringConvertible {
    case int(Int)
    case float(Double)

    var double: Double {
        switch self {
        case .int(let value): Double(value)
        case .float(let value): value
        }
    }

    var description: String {
        switch self {
        case .int(let value): String(value)
        case .float(let value): String(value)
        }
    }

    /// A JSON-like number (`12`, `-3.5`, `1e3`, `.5`, `1.`), never `inf` or `nan`.
    static func parse<S: StringProtocol>(_ text: S) -> JSONishNumber? {
        guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return nil }
        if let integer = Int(text) { return .int(integer) }
        if let double = Double(text), double.isFinite { return .float(double) }
        return nil
    }
}

/// What the forgiving JSON reader produced from an LLM's text: values with their completion, and
/// the alternatives it found (markdown blocks, objects grepped from prose, repaired JSON, the
/// raw text). A class so that recursion checks can use identity.
final class JSONishValue: @unchecked Sendable, CustomStringConvertible {
    enum Kind {
        case string(String)
        case number(JSONishNumber)
        case bool(Bool)
        case null
        case object([(key: String, value: JSONishValue)])
        case array([JSONishValue])
        /// A fenced code block: its tag and parsed content.
        case markdown(tag: String, JSONishValue)
        /// A value the fixing parser had to repair.
        case fixed(JSONishValue)
        /// Every reading of a text, and the text itself.
        case anyOf([JSONishValue], raw: String)
    }

    let kind: Kind
    let completion: Completion

    init(_ kind: Kind, _ completion: Completion = .complete) {
        self.kind = kind
        self.completion = completion
    }

    /// The value as BAML prints it: strings bare, objects `{key: value, …}`.
    var description: String {
        switch kind {
        case .string(let text): return text
        case .number(let number): return number.description
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .object(let fields): return "{" + fields.map { "\($0.key): \($0.value.description)" }.joined(separator: ", ") + "}"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .markdown(let tag, let inner): return "\(tag)\n\(inner.description)"
        case .fixed(let inner): return inner.description
        case .anyOf(_, let raw): return raw
        }
    }
}
