import AgentCore
import AgentSchema

/// Run values and BAML values, each as the other: arguments for BAML functions, their results for runs.
extension BAMLValue {
    /// A run value as a BAML value (object members in key order).
    public init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .double(let number): self = .float(number)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(BAMLValue.init))
        case .object(let members): self = .object(members.keys.sorted().map { BAMLValue.Field($0, BAMLValue(members[$0] ?? .null)) })
        }
    }
}

extension Value {
    /// A BAML value as a run value.
    public init(_ value: BAMLValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .float(let number): self = .double(number)
        case .string(let text): self = .string(text)
        case .list(let items): self = .array(items.map(Value.init))
        case .object(let fields): self = .object(Dictionary(fields.map { ($0.key, Value($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }
}
