/// Encodes `Encodable` types straight into a `Value` tree, without a JSON round trip.
/// Optionals that are `nil` are left out, as `JSONEncoder` does.
public struct ValueEncoder {
    public init() {}

    /// Encodes `value`.
    public func encode<T: Encodable>(_ value: T) throws -> Value {
        try encodeAny(value, path: [])
    }
}

/// A node under construction: containers write into it and it becomes a `Value` at the end.
private final class Node {
    enum Content { case empty, value(Value), object([String: Node]), array([Node]) }
    var content = Content.empty

    var value: Value {
        switch content {
        case .empty: .object([:])
        case .value(let value): value
        case .object(let members): .object(members.mapValues(\.value))
        case .array(let items): .array(items.map(\.value))
        }
    }
}

private func encodeAny<T: Encodable>(_ value: T, path: [CodingKey]) throws -> Value {
    switch value {
    case let value as Value: return value
    case let string as String: return .string(string)
    case let bool as Bool: return .bool(bool)
    case let int as Int: return .int(int)
    case let double as Double: return .double(double)
    default:
        let node = Node()
        try value.encode(to: _ValueEncoder(node: node, codingPath: path))
        return node.value
    }
}

private struct _ValueEncoder: Encoder {
    let node: Node
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleContainer(node: node, codingPath: codingPath) }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [CodingKey]

    private func set(_ child: Node, for key: Key) {
        if case .object(var members) = node.content {
            members[key.stringValue] = child
            node.content = .object(members)
        }
    }

    func encodeNil(forKey key: Key) throws {
        let child = Node()
        child.content = .value(.null)
        set(child, for: key)
    }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let child = Node()
        child.content = .value(try encodeAny(value, path: codingPath + [key]))
        set(child, for: key)
    }

    func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = Node()
        set(child, for: key)
        return _ValueEncoder(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let child = Node()
        set(child, for: key)
        return _ValueEncoder(node: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superEncoder() -> Encoder { _ValueEncoder(node: node, codingPath: codingPath) }

    func superEncoder(forKey key: Key) -> Encoder {
        let child = Node()
        set(child, for: key)
        return _ValueEncoder(node: child, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [CodingKey]
    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }

    private func append(_ child: Node) {
        if case .array(var items) = node.content {
            items.append(child)
            node.content = .array(items)
        }
    }

    mutating func encodeNil() throws {
        let child = Node()
        child.content = .value(.null)
        append(child)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = Node()
        child.content = .value(try encodeAny(value, path: codingPath))
        append(child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = Node()
        append(child)
        return _ValueEncoder(node: child, codingPath: codingPath).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let child = Node()
        append(child)
        return _ValueEncoder(node: child, codingPath: codingPath).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder {
        let child = Node()
        append(child)
        return _ValueEncoder(node: child, codingPath: codingPath)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.content = .value(try encodeAny(value, path: codingPath))
    }
}
