/// Schemas derived from `Decodable` types, so that a tool's typed input and output structs are
/// the single source of truth for its schemas.
///
/// The derivation decodes the type once through a probing `Decoder` that records every field
/// it is asked for. It understands the synthesised `Codable` of structs, optionals, arrays,
/// string-keyed dictionaries, `Value` (any), and string enums that adopt `SchemaEnumerable`.
extension Schema {
    /// Derives the schema of a `Decodable` type.
    /// - Parameter type: the type, usually a tool's `Input` or `Output` struct.
    public static func derived<T: Decodable>(from type: T.Type) -> Schema {
        (try? SchemaProbe.probe(type).schema) ?? .any
    }
}

/// A string enum whose cases a schema can list. `CaseIterable` string enums get it for free.
public protocol SchemaEnumerable {
    /// The raw values accepted.
    static var schemaValues: [String] { get }
    /// Any one case, used while probing.
    static var schemaSample: Self { get }
}

extension SchemaEnumerable where Self: CaseIterable & RawRepresentable, RawValue == String {
    public static var schemaValues: [String] { allCases.map(\.rawValue) }
    public static var schemaSample: Self { allCases[allCases.startIndex] }
}

private protocol OptionalProbe { static func probeWrapped() throws -> Schema; static var probeNone: Self { get } }
private protocol ArrayProbe { static func probeElement() throws -> Schema; static var probeEmpty: Self { get } }
private protocol DictionaryProbe { static func probeElement() throws -> Schema; static var probeEmpty: Self { get } }

extension Optional: OptionalProbe where Wrapped: Decodable {
    static func probeWrapped() throws -> Schema { try SchemaProbe.probe(Wrapped.self).schema }
    static var probeNone: Self { nil }
}
extension Array: ArrayProbe where Element: Decodable {
    static func probeElement() throws -> Schema { try SchemaProbe.probe(Element.self).schema }
    static var probeEmpty: Self { [] }
}
extension Dictionary: DictionaryProbe where Key == String, Value: Decodable {
    static func probeElement() throws -> Schema { try SchemaProbe.probe(Value.self).schema }
    static var probeEmpty: Self { [:] }
}

private struct ProbeFailure: Error {}

/// The probing decoder.
private final class SchemaProbe: Decoder {
    var codingPath: [CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    var fields: [Schema.Field] = []
    var single: Schema?

    var schema: Schema { single ?? .object(fields) }

    static func probe<T: Decodable>(_ type: T.Type) throws -> (schema: Schema, value: T) {
        func cast<U>(_ value: U) throws -> T {
            guard let typed = value as? T else { throw ProbeFailure() }
            return typed
        }
        switch type {
        case is AgentCore.Value.Type: return (.any, try cast(AgentCore.Value.null))
        case is String.Type: return (.string, try cast(""))
        case is Bool.Type: return (.boolean, try cast(false))
        case is Int.Type: return (.integer, try cast(0))
        case is Int64.Type: return (.integer, try cast(Int64(0)))
        case is Int32.Type: return (.integer, try cast(Int32(0)))
        case is Double.Type: return (.number, try cast(0.0))
        case is Float.Type: return (.number, try cast(Float(0)))
        default: break
        }
        if let enumeration = type as? SchemaEnumerable.Type {
            return (.enumeration(enumeration.schemaValues), try cast(enumeration.schemaSample))
        }
        if let optional = type as? OptionalProbe.Type {
            return (.optional(try optional.probeWrapped()), try cast(optional.probeNone))
        }
        if let array = type as? ArrayProbe.Type {
            return (.array(try array.probeElement()), try cast(array.probeEmpty))
        }
        if let dictionary = type as? DictionaryProbe.Type {
            return (.map(try dictionary.probeElement()), try cast(dictionary.probeEmpty))
        }
        let decoder = SchemaProbe()
        let value = try T(from: decoder)
        return (decoder.schema, value)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(KeyedProbe<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer { UnkeyedProbe(decoder: self) }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleProbe(decoder: self) }
}

private struct KeyedProbe<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: SchemaProbe
    var codingPath: [CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (schema, value) = try SchemaProbe.probe(type)
        decoder.fields.append(Schema.Field(key.stringValue, schema))
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try optional(type, key) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try generic(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try generic(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try generic(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try generic(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try generic(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try generic(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try generic(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }

    private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        let schema = try SchemaProbe.probe(type).schema
        decoder.fields.append(Schema.Field(key.stringValue, .optional(schema)))
        return nil
    }

    private func generic<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        let (schema, value) = try SchemaProbe.probe(type)
        decoder.fields.append(Schema.Field(key.stringValue, schema))
        return value
    }

    private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        decoder.fields.append(Schema.Field(key.stringValue, .integer))
        return 0
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw ProbeFailure()
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { throw ProbeFailure() }
    func superDecoder() throws -> Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> Decoder { decoder }
}

private struct UnkeyedProbe: UnkeyedDecodingContainer {
    let decoder: SchemaProbe
    var codingPath: [CodingKey] { [] }
    var count: Int? { 1 }
    var currentIndex = 0
    var isAtEnd: Bool { currentIndex > 0 }

    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try SchemaProbe.probe(type)
        decoder.single = .array(schema)
        currentIndex += 1
        return value
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw ProbeFailure()
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { throw ProbeFailure() }
    mutating func superDecoder() throws -> Decoder { decoder }
}

private struct SingleProbe: SingleValueDecodingContainer {
    let decoder: SchemaProbe
    var codingPath: [CodingKey] { [] }

    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try SchemaProbe.probe(type)
        decoder.single = schema
        return value
    }
    func decode(_ type: Bool.Type) throws -> Bool { try decodeGeneric(type) }
    func decode(_ type: String.Type) throws -> String { try decodeGeneric(type) }
    func decode(_ type: Double.Type) throws -> Double { try decodeGeneric(type) }
    func decode(_ type: Int.Type) throws -> Int { try decodeGeneric(type) }

    private func decodeGeneric<T: Decodable>(_ type: T.Type) throws -> T {
        let (schema, value) = try SchemaProbe.probe(type)
        decoder.single = schema
        return value
    }
}
