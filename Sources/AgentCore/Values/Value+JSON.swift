/// A direct JSON writer and reader for `Value`, several times faster than going through
/// `JSONEncoder`/`JSONDecoder`; the engine uses them for every event it stores and reads.
extension Value {
    /// Writes the value as JSON with object keys sorted: compact, or indented by two spaces.
    public func writeJSON(into output: inout String, indent: Int? = nil) {
        func newline(_ depth: Int) {
            guard let indent else { return }
            output += "\n"
            output += String(repeating: " ", count: indent + depth * 2)
        }
        switch self {
        case .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .int(let i): output += String(i)
        case .double(let d):
            if d.isFinite {
                if d == d.rounded(), abs(d) < 1e15 { output += String(Int(d)); output += ".0" } else { output += String(d) }
            } else {
                output += "null"
            }
        case .string(let s): Self.writeString(s, into: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                newline(1)
                item.writeJSON(into: &output, indent: indent.map { $0 + 2 })
            }
            if !items.isEmpty { newline(0) }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                newline(1)
                Self.writeString(key, into: &output)
                output += indent == nil ? ":" : ": "
                members[key]?.writeJSON(into: &output, indent: indent.map { $0 + 2 })
            }
            if !members.isEmpty { newline(0) }
            output += "}"
        }
    }

    /// Compact JSON text.
    public var compactJSON: String {
        var output = ""
        writeJSON(into: &output)
        return output
    }

    /// JSON text indented by two spaces per level.
    public var prettyJSON: String {
        var output = ""
        writeJSON(into: &output, indent: 0)
        return output
    }

    private static func writeString(_ string: String, into output: inout String) {
        output += "\""
        let utf8 = string.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            let byte = utf8[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else {
                utf8.formIndex(after: &index)
                continue
            }
            output += string[start..<index]
            switch byte {
            case 0x22: output += "\\\""
            case 0x5C: output += "\\\\"
            case 0x0A: output += "\\n"
            case 0x0D: output += "\\r"
            case 0x09: output += "\\t"
            default:
                let hex = String(byte, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
            utf8.formIndex(after: &index)
            start = index
        }
        output += string[start..<index]
        output += "\""
    }

    /// Parses strict JSON (RFC 8259) into a `Value`.
    /// - Throws: `JSONSyntaxError` with the byte offset of the problem.
    public static func parseJSON(_ text: String) throws(JSONSyntaxError) -> Value {
        var text = text
        let result: Result<Value, JSONSyntaxError> = text.withUTF8 { bytes in
            var reader = JSONReader(bytes: bytes)
            return Result { () throws(JSONSyntaxError) -> Value in
                reader.skipWhitespace()
                let value = try reader.readValue(depth: 0)
                reader.skipWhitespace()
                guard reader.position == bytes.count else { throw reader.error("unexpected text after the JSON value") }
                return value
            }
        }
        return try result.get()
    }
}

/// Malformed JSON, at a byte offset.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

private struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    static let maxDepth = 512

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(message: message, offset: position) }

    mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ literal: StaticString, _ value: Value) throws(JSONSyntaxError) -> Value {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input") }
        for index in 0..<count where bytes[position + index] != literal.utf8Start[index] { throw error("invalid literal") }
        position += count
        return value
    }

    mutating func readValue(depth: Int) throws(JSONSyntaxError) -> Value {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var members: [String: Value] = [:]
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                let key = try readString()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                skipWhitespace()
                members[key] = try readValue(depth: depth + 1)
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of input") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
                throw error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [Value] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try readValue(depth: depth + 1))
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of input") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default: return try readNumber()
        }
    }

    mutating func readNumber() throws(JSONSyntaxError) -> Value {
        let start = position
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte >= 0x30 && byte <= 0x39 {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                        || ((byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")) && position > start
                            && (bytes[position - 1] == UInt8(ascii: "e") || bytes[position - 1] == UInt8(ascii: "E"))) {
                isInteger = false
                position += 1
            } else {
                break
            }
        }
        guard position > digitsStart else { throw error("expected a value") }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let int = Int(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else {
            position = start
            throw error("malformed number '\(text)'")
        }
        return .double(double)
    }

    mutating func readString() throws(JSONSyntaxError) -> String {
        position += 1  // the opening quote
        let start = position
        var hasEscapes = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte == UInt8(ascii: "\\") { hasEscapes = true; position += 2; continue }
            if byte < 0x20 { throw error("control character in a string") }
            position += 1
        }
        guard position < bytes.count else { throw error("unterminated string") }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        func flush() {
            if !utf8.isEmpty { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8.removeAll() }
        }
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.count else { utf8.append(byte); index += 1; continue }
            flush()
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                func hex(_ at: Int) -> UInt32? {
                    guard at + 4 <= raw.count else { return nil }
                    return UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[at..<(at + 4)]), as: UTF8.self), radix: 16)
                }
                guard var code = hex(index) else { throw error("malformed \\u escape") }
                index += 4
                if (0xD800..<0xDC00).contains(code), index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"),
                   raw[index + 1] == UInt8(ascii: "u"), let low = hex(index + 2), (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                scalars.append(Unicode.Scalar(escape))
            default:
                throw error("invalid escape")
            }
        }
        flush()
        return String(scalars)
    }
}
