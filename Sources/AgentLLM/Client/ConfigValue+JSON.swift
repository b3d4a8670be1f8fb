import AgentSchema

extension ConfigValue {
    /// The value as a Foundation JSON object (for request bodies).
    var jsonObject: Any {
        switch self {
        case .string(let text): text
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? Int(number) as Any : number
        case .bool(let flag): flag
        case .list(let items): items.map(\.jsonObject)
        case .block(let values): values.mapValues(\.jsonObject)
        }
    }
}
