/// Why no value of the target type could be read from the text, and where.
public struct ParseError: Error, Sendable, CustomStringConvertible {
    public var path: [String]
    public var message: String

    public var description: String { path.isEmpty ? message : "\(path.joined(separator: ".")): \(message)" }
}

/// What a coercion had to do to make the text fit; each costs a penalty, and the reading with
/// the lowest total wins (BAML's `score.rs`).
enum Flag {
    case optionalDefaultFromNoValue, defaultFromNoValue, defaultButHadUnparseableValue
    case objectFromFixedJSON, objectFromMarkdown, objectToMap, objectToString, objectToPrimitive, impliedKey, inferredObject
    case extraKey, strippedNonAlphaNumeric, substringMatch, singleToArray, arrayItemParseError(Int), mapKeyParseError, mapValueParseError
    case jsonToString, firstMatch, stringMatchOneFromMany(Int), floatToInt, stringToBool, stringToNull, stringToFloat, stringToInt, unionMatch, pending

    var score: Int {
        switch self {
        case .optionalDefaultFromNoValue: 1
        case .defaultFromNoValue: 100
        case .defaultButHadUnparseableValue: 2
        case .objectFromFixedJSON, .objectFromMarkdown, .inferredObject, .unionMatch, .pending: 0
        case .objectToMap: 1
        case .objectToString, .objectToPrimitive, .impliedKey, .jsonToString, .substringMatch: 2
        case .extraKey, .singleToArray, .mapKeyParseError, .mapValueParseError, .firstMatch, .floatToInt, .stringToBool, .stringToNull, .stringToFloat, .stringToInt: 1
        case .strippedNonAlphaNumeric: 3
        case .arrayItemParseError(let index): 1 + index
        case .stringMatchOneFromMany(let count): max(0, count - 1)
        }
    }

    var isDefault: Bool {
        switch self {
        case .optionalDefaultFromNoValue, .defaultFromNoValue, .defaultButHadUnparseableValue, .pending: true
        default: false
        }
    }
}

/// A `@check` outcome.
struct CheckResult {
    var name: String
    var expression: String
    var passed: Bool
}

/// A value read from the text, with what it took to read it.
struct Coerced {
    indirect enum Payload {
        case string(String), int(Int), float(Double), bool(Bool), null, enumValue(String)
        case list([Coerced])
        case map([(key: String, value: Coerced)])
        case object(name: String, fields: [(key: String, value: Coerced)])
    }

    var payload: Payload
    var flags: [Flag] = []
    var completion: Completion = .complete
    var checks: [CheckResult] = []
    /// `@stream.with_state`: report the value with its state (`Complete`, `Incomplete`, `Pending`).
    var reportsState = false
    var isPending = false

    init(_ payload: Payload, flags: [Flag] = [], completion: Completion = .complete) {
        self.payload = payload
        self.flags = flags
        self.completion = completion
    }

    static func null(_ flags: [Flag] = []) -> Coerced { Coerced(.null, flags: flags) }

    var isNull: Bool {
        if case .null = payload { return true }
        return false
    }

    /// The penalty of this reading: its flags plus its children's (a class's ×10).
    var score: Int {
        let own = flags.reduce(0) { $0 + $1.score }
        switch payload {
        case .list(let items): return own + items.reduce(0) { $0 + $1.score }
        case .map(let entries): return own + entries.reduce(0) { $0 + $1.value.score }
        case .object(_, let fields): return own + 10 * fields.reduce(0) { $0 + $1.value.score }
        default: return own
        }
    }

    func has(_ predicate: (Flag) -> Bool) -> Bool { flags.contains(where: predicate) }

    /// The plain value (what `this` is in constraints).
    var plain: BAMLValue { value(streaming: false) }

    /// The value to return; when `streaming`, `@stream.with_state` and `@check` fields are wrapped.
    func value(streaming: Bool) -> BAMLValue {
        var value: BAMLValue
        switch payload {
        case .string(let text): value = .string(text)
        case .int(let number): value = .int(number)
        case .float(let number): value = .float(number)
        case .bool(let flag): value = .bool(flag)
        case .null: value = .null
        case .enumValue(let name): value = .string(name)
        case .list(let items): value = .list(items.map { $0.value(streaming: streaming) })
        case .map(let entries): value = .object(entries.map { BAMLValue.Field($0.key, $0.value.value(streaming: streaming)) })
        case .object(_, let fields): value = .object(fields.map { BAMLValue.Field($0.key, $0.value.value(streaming: streaming)) })
        }
        guard streaming else { return value }
        if !checks.isEmpty {
            value = .object([
                .init("value", value),
                .init("checks", .object(checks.map {
                    .init($0.name, .object([.init("name", .string($0.name)), .init("expression", .string($0.expression)),
                                            .init("status", .string($0.passed ? "succeeded" : "failed"))]))
                })),
            ])
        }
        if reportsState {
            let state = isPending ? "Pending" : completion == .complete ? "Complete" : "Incomplete"
            value = .object([.init("value", value), .init("state", .string(state))])
        }
        return value
    }
}
