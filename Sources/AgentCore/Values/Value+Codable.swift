import Foundation

extension Value: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            self = .int(int)
        } else if let double = try? container.decode(Double.self) {
            self = .double(double)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([Value].self) {
            self = .array(array)
        } else if let object = try? container.decode([String: Value].self) {
            self = .object(object)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .double(let d): try container.encode(d)
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(o)
        }
    }
}

/// Conversions between `Value` and typed `Codable` structs, through JSON.
extension Value {
    /// Encodes any `Encodable` into a `Value`.
    public init<T: Encodable>(encoding value: T) throws {
        self = try ValueEncoder().encode(value)
    }

    /// Decodes this value into a typed `Decodable`.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try ValueDecoder().decode(T.self, from: self)
    }

    /// Parses JSON text into a `Value`.
    public init(json: String) throws {
        self = try Value.parseJSON(json)
    }

    /// Renders the value as JSON with keys sorted, compact or pretty-printed.
    public func jsonString(pretty: Bool = false) -> String {
        pretty ? prettyJSON : compactJSON
    }
}
