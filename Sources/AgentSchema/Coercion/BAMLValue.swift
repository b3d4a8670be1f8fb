/// A value of a BAML type: what schema-aligned parsing returns and what prompts are rendered from.
/// Objects keep their field order.
public indirect enum BAMLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([BAMLValue])
    case object([Field])

    public struct Field: Sendable, Hashable {
        public var key: String
        public var value: BAMLValue
        public init(_ key: String, _ value: BAMLValue) {
            self.key = key
            self.value = value
        }
    }

    /// The value of an object's field.
    public subscript(key: String) -> BAMLValue? {
        if case .object(let fields) = self { return fields.first { $0.key == key }?.value }
        return nil
    }

    /// Compact JSON.
    public var json: String {
        var output = ""
        write(into: &output)
        return output
    }

    public var description: String { json }

    private func write(into output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .float(let number): output += number.isFinite ? String(number) : "null"
        case .string(let text): BAMLValue.writeString(text, into: &output)
        case .list(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.write(into: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            for (index, field) in fields.enumerated() {
                if index > 0 { output += "," }
                BAMLValue.writeString(field.key, into: &output)
                output += ":"
                field.value.write(into: &output)
            }
            output += "}"
        }
    }

    static func writeString(_ text: String, into output: inout String) {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            output += "\""
            output += text
            output += "\""
            return
        }
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
