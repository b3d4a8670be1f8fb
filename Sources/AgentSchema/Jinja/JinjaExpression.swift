import Foundation

/// Jinja expressions, as BAML uses them in `@assert`/`@check` and in prompts: literals, names,
/// `.field` and `[index]`, filters (`|length`, `|lower`, …), tests (`is none`), arithmetic,
/// comparisons, `in`, `and`/`or`/`not`. Evaluated directly: nothing can execute code.
public struct JinjaExpression {
    public struct EvaluationError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) (at offset \(offset))" }
    }

    /// An expression tokenized once, to evaluate many times.
    public struct Compiled: Sendable {
        fileprivate let tokens: [(token: Token, offset: Int)]
    }

    /// Tokenizes `source` (a syntax error in a string or number shows here).
    public static func compile(_ source: String) throws(EvaluationError) -> Compiled { Compiled(tokens: try tokenize(source)) }

    /// Evaluates a compiled expression.
    public static func evaluate(_ compiled: Compiled, lookup: @escaping (String) -> BAMLValue?, call: CallHandler? = nil) throws(EvaluationError) -> BAMLValue {
        var expression = JinjaExpression(tokens: compiled.tokens, lookup: lookup, call: call)
        let value = try expression.ternary()
        guard case .end = expression.tokens[expression.position].token else {
            throw EvaluationError(message: "unexpected text in the expression", offset: expression.tokens[expression.position].offset)
        }
        return value
    }

    fileprivate enum Token: Equatable, Sendable {
        case number(Double, isInteger: Bool)
        case string(String)
        case name(String)
        case symbol(String)
        case end
    }

    /// A call in an expression: the dotted name called (`_.role`), its arguments and keyword arguments.
    public typealias CallHandler = (_ name: String, _ arguments: [BAMLValue], _ keywords: [String: BAMLValue]) throws(EvaluationError) -> BAMLValue

    private var tokens: [(token: Token, offset: Int)] = []
    private var position = 0
    /// How deep the evaluation has nested (parentheses, lists, arguments, `not`, `-`); bounded so a
    /// hostile template cannot exhaust the stack.
    private var depth = 0
    public static let maximumDepth = 64

    /// Runs `body` one level deeper, or refuses when that is too deep.
    private mutating func nested<T>(_ body: (inout JinjaExpression) throws(EvaluationError) -> T) throws(EvaluationError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else {
            throw EvaluationError(message: "the expression nests deeper than \(Self.maximumDepth) levels", offset: offset)
        }
        return try body(&self)
    }
    private let lookup: (String) -> BAMLValue?
    private let call: CallHandler?

    /// Evaluates `source` with names resolved by `lookup` (nil: undefined) and calls by `call`.
    public static func evaluate(_ source: String, lookup: @escaping (String) -> BAMLValue?, call: CallHandler? = nil) throws(EvaluationError) -> BAMLValue {
        try evaluate(try compile(source), lookup: lookup, call: call)
    }

    private init(tokens: [(token: Token, offset: Int)], lookup: @escaping (String) -> BAMLValue?, call: CallHandler?) {
        self.tokens = tokens
        self.lookup = lookup
        self.call = call
    }

    /// Jinja truthiness: false, none, 0, "" and empty containers are false.
    public static func isTruthy(_ value: BAMLValue) -> Bool {
        switch value {
        case .null: false
        case .bool(let flag): flag
        case .int(let number): number != 0
        case .float(let number): number != 0
        case .string(let text): !text.isEmpty
        case .list(let items): !items.isEmpty
        case .object(let fields): !fields.isEmpty
        }
    }

    // MARK: Tokens

    private static func tokenize(_ source: String) throws(EvaluationError) -> [(token: Token, offset: Int)] {
        let characters = Array(source)
        var tokens: [(token: Token, offset: Int)] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            let start = index
            if character.isNumber {
                while index < characters.count, characters[index].isNumber || characters[index] == "." || characters[index] == "_" { index += 1 }
                let text = String(characters[start..<index]).replacingOccurrences(of: "_", with: "")
                guard let number = Double(text) else { throw EvaluationError(message: "'\(text)' is not a number", offset: start) }
                tokens.append((.number(number, isInteger: !text.contains(".")), start))
            } else if character == "\"" || character == "'" {
                index += 1
                var text = ""
                while index < characters.count, characters[index] != character {
                    if characters[index] == "\\", index + 1 < characters.count {
                        index += 1
                        switch characters[index] {
                        case "n": text.append("\n")
                        case "t": text.append("\t")
                        default: text.append(characters[index])
                        }
                    } else {
                        text.append(characters[index])
                    }
                    index += 1
                }
                guard index < characters.count else { throw EvaluationError(message: "unterminated string", offset: start) }
                index += 1
                tokens.append((.string(text), start))
            } else if character.isLetter || character == "_" {
                while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" { index += 1 }
                tokens.append((.name(String(characters[start..<index])), start))
            } else {
                let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["==", "!=", "<=", ">=", "//", "**"].contains(two) {
                    tokens.append((.symbol(two), start))
                    index += 2
                } else if "<>+-*/%~|.[](){},:?=".contains(character) {
                    tokens.append((.symbol(String(character)), start))
                    index += 1
                } else {
                    throw EvaluationError(message: "unexpected character '\(character)'", offset: start)
                }
            }
        }
        tokens.append((.end, characters.count))
        return tokens
    }

    private var current: Token { tokens[position].token }
    private var offset: Int { tokens[position].offset }

    private mutating func take(_ symbol: String) -> Bool {
        if current == .symbol(symbol) || current == .name(symbol) { position += 1; return true }
        return false
    }

    private mutating func expect(_ symbol: String) throws(EvaluationError) {
        guard take(symbol) else { throw EvaluationError(message: "expected '\(symbol)'", offset: offset) }
    }

    // MARK: Grammar (lowest precedence first)

    private mutating func ternary() throws(EvaluationError) -> BAMLValue {
        try nested { expression throws(EvaluationError) in try expression.ternaryAtThisDepth() }
    }

    private mutating func ternaryAtThisDepth() throws(EvaluationError) -> BAMLValue {
        let value = try or()
        guard take("if") else { return value }
        let condition = try or()
        let otherwise: BAMLValue = take("else") ? try ternary() : .null
        return Self.isTruthy(condition) ? value : otherwise
    }

    private mutating func or() throws(EvaluationError) -> BAMLValue {
        var value = try and()
        while take("or") {
            let right = try and()
            value = Self.isTruthy(value) ? value : right
        }
        return value
    }

    private mutating func and() throws(EvaluationError) -> BAMLValue {
        var value = try not()
        while take("and") {
            let right = try not()
            value = Self.isTruthy(value) ? right : value
        }
        return value
    }

    private mutating func not() throws(EvaluationError) -> BAMLValue {
        if take("not") { return .bool(!Self.isTruthy(try nested { expression throws(EvaluationError) in try expression.not() })) }
        return try comparison()
    }

    private mutating func comparison() throws(EvaluationError) -> BAMLValue {
        var left = try concatenation()
        while true {
            let start = offset
            if take("==") { left = .bool(Self.equal(left, try concatenation())) }
            else if take("!=") { left = .bool(!Self.equal(left, try concatenation())) }
            else if take("<") { left = .bool(try Self.compare(left, try concatenation(), at: start) < 0) }
            else if take("<=") { left = .bool(try Self.compare(left, try concatenation(), at: start) <= 0) }
            else if take(">") { left = .bool(try Self.compare(left, try concatenation(), at: start) > 0) }
            else if take(">=") { left = .bool(try Self.compare(left, try concatenation(), at: start) >= 0) }
            else if take("in") { left = .bool(Self.contains(try concatenation(), left)) }
            else if current == .name("not"), tokens[position + 1].token == .name("in") {
                position += 2
                left = .bool(!Self.contains(try concatenation(), left))
            } else { return left }
        }
    }

    private mutating func concatenation() throws(EvaluationError) -> BAMLValue {
        var value = try additive()
        while take("~") { value = .string(Self.text(value) + Self.text(try additive())) }
        return value
    }

    private mutating func additive() throws(EvaluationError) -> BAMLValue {
        var value = try multiplicative()
        while true {
            let start = offset
            if take("+") {
                let right = try multiplicative()
                if case .string(let a) = value, case .string(let b) = right { value = .string(a + b) }
                else if case .list(let a) = value, case .list(let b) = right { value = .list(a + b) }
                else { value = try Self.arithmetic(value, right, at: start, +) }
            } else if take("-") {
                value = try Self.arithmetic(value, try multiplicative(), at: start, -)
            } else { return value }
        }
    }

    private mutating func multiplicative() throws(EvaluationError) -> BAMLValue {
        var value = try unary()
        while true {
            let start = offset
            if take("*") { value = try Self.arithmetic(value, try unary(), at: start, *) }
            else if take("/") {
                let right = try unary()
                guard Self.number(right) != 0 else { throw EvaluationError(message: "division by zero", offset: start) }
                value = .float((Self.number(value) ?? 0) / (Self.number(right) ?? 1))
            } else if take("//") || take("%") {
                let isModulo = tokens[position - 1].token == .symbol("%")
                let right = try unary()
                guard case .int(let a) = value, case .int(let b) = right, b != 0 else {
                    throw EvaluationError(message: "\(isModulo ? "%" : "//") needs non-zero integers", offset: start)
                }
                value = .int(isModulo ? a % b : a / b)
            } else { return value }
        }
    }

    private mutating func unary() throws(EvaluationError) -> BAMLValue {
        let start = offset
        if take("-") {
            switch try nested({ expression throws(EvaluationError) in try expression.unary() }) {
            case .int(let number): return .int(-number)
            case .float(let number): return .float(-number)
            default: throw EvaluationError(message: "'-' needs a number", offset: start)
            }
        }
        return try postfix()
    }

    private mutating func postfix() throws(EvaluationError) -> BAMLValue {
        var dotted: String? = { if case .name(let name) = current { return name } else { return nil } }()
        var value = try primary()
        var receiver: (value: BAMLValue, method: String)?   // `text.upper` before its call
        while true {
            if take(".") {
                guard case .name(let name) = current else { throw EvaluationError(message: "expected a name after '.'", offset: offset) }
                position += 1
                receiver = (value, name)
                value = Self.member(value, name)
                dotted = dotted.map { "\($0).\(name)" }
            } else if current == .symbol("("), dotted != nil && call != nil || receiver.map({ Self.isMethod($0.method, of: $0.value) }) == true {
                let start = offset
                position += 1
                var arguments: [BAMLValue] = []
                var keywords: [String: BAMLValue] = [:]
                while !take(")") {
                    if case .name(let keyword) = current, tokens[position + 1].token == .symbol("=") {
                        position += 2
                        keywords[keyword] = try ternary()
                    } else {
                        arguments.append(try ternary())
                    }
                    _ = take(",")
                    guard current != .end else { throw EvaluationError(message: "expected ')'", offset: offset) }
                }
                if let receiver, Self.isMethod(receiver.method, of: receiver.value) {
                    value = try Self.method(receiver.method, of: receiver.value, arguments, at: start)
                } else if let name = dotted, let call {
                    do {
                        value = try call(name, arguments, keywords)
                    } catch {
                        throw EvaluationError(message: error.message, offset: start)
                    }
                }
                dotted = nil
                receiver = nil
            } else if take("[") {
                let index = try ternary()
                try expect("]")
                value = Self.subscripted(value, index)
                dotted = nil
            } else if take("|") {
                guard case .name(let filter) = current else { throw EvaluationError(message: "expected a filter name after '|'", offset: offset) }
                let start = offset
                position += 1
                var arguments: [BAMLValue] = []
                if take("(") {
                    while !take(")") {
                        arguments.append(try ternary())
                        _ = take(",")
                        guard current != .end else { throw EvaluationError(message: "expected ')'", offset: offset) }
                    }
                }
                value = try Self.apply(filter, to: value, arguments, at: start)
                dotted = nil
            } else if take("is") {
                let negated = take("not")
                guard case .name(let test) = current else { throw EvaluationError(message: "expected a test after 'is'", offset: offset) }
                position += 1
                let result: Bool = switch test {
                case "none": value == .null
                case "defined": value != .null
                case "string": { if case .string = value { return true }; return false }()
                case "number": Self.number(value) != nil
                case "true": value == .bool(true)
                case "false": value == .bool(false)
                default: throw EvaluationError(message: "unknown test '\(test)'", offset: offset)
                }
                value = .bool(negated ? !result : result)
            } else {
                return value
            }
        }
    }

    private mutating func primary() throws(EvaluationError) -> BAMLValue {
        let start = offset
        switch current {
        case .number(let number, let isInteger):
            position += 1
            return isInteger && abs(number) < 9e15 ? .int(Int(number)) : .float(number)
        case .string(let text):
            position += 1
            return .string(text)
        case .name(let name):
            position += 1
            switch name {
            case "true", "True": return .bool(true)
            case "false", "False": return .bool(false)
            case "none", "None", "null": return .null
            default: return lookup(name) ?? .null
            }
        case .symbol("("):
            position += 1
            let value = try ternary()
            try expect(")")
            return value
        case .symbol("["):
            position += 1
            var items: [BAMLValue] = []
            while !take("]") {
                items.append(try ternary())
                _ = take(",")
                guard current != .end else { throw EvaluationError(message: "expected ']'", offset: offset) }
            }
            return .list(items)
        case .symbol("{"):
            // A dict literal: {"type": "ephemeral"}, keys strings (or names, as Jinja's own keys).
            position += 1
            var fields: [BAMLValue.Field] = []
            while !take("}") {
                let keyOffset = offset
                let key: String
                switch current {
                case .string(let text), .name(let text): key = text
                default: throw EvaluationError(message: "a dict key must be a string", offset: keyOffset)
                }
                position += 1
                try expect(":")
                let value = try ternary()
                fields.removeAll { $0.key == key }
                fields.append(.init(key, value))
                _ = take(",")
                guard current != .end else { throw EvaluationError(message: "expected '}'", offset: offset) }
            }
            return .object(fields)
        default:
            throw EvaluationError(message: "expected a value", offset: start)
        }
    }

    // MARK: Semantics

    static let stringMethods: Set<String> = ["upper", "lower", "strip", "lstrip", "rstrip", "title", "capitalize", "replace", "split",
                                             "startswith", "endswith"]

    /// Whether `name` is a method of the value (the string methods Jinja templates use).
    static func isMethod(_ name: String, of value: BAMLValue) -> Bool {
        if case .string = value { return stringMethods.contains(name) }
        return false
    }

    /// `text.upper()`, `text.replace("a", "b")`, `text.split(",")`, …
    static func method(_ name: String, of value: BAMLValue, _ arguments: [BAMLValue], at offset: Int) throws(EvaluationError) -> BAMLValue {
        guard case .string(let text) = value else { throw EvaluationError(message: "\(name) is not a method of \(value.json)", offset: offset) }
        func argument(_ index: Int) throws(EvaluationError) -> String {
            guard index < arguments.count, case .string(let argument) = arguments[index] else {
                throw EvaluationError(message: "\(name) needs a text argument", offset: offset)
            }
            return argument
        }
        switch name {
        case "upper": return .string(text.uppercased())
        case "lower": return .string(text.lowercased())
        case "strip": return .string(text.trimmingWhitespace)
        case "lstrip": return .string(String(text.drop { $0.isWhitespace }))
        case "rstrip": return .string(String(text.reversed().drop { $0.isWhitespace }.reversed()))
        case "title": return .string(text.split(separator: " ", omittingEmptySubsequences: false).map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: " "))
        case "capitalize": return .string(text.prefix(1).uppercased() + text.dropFirst().lowercased())
        case "replace": return .string(text.replacingOccurrences(of: try argument(0), with: try argument(1)))
        case "split":
            let parts = arguments.isEmpty ? text.split(whereSeparator: \.isWhitespace).map(String.init) : text.components(separatedBy: try argument(0))
            return .list(parts.map(BAMLValue.string))
        case "startswith": return .bool(text.hasPrefix(try argument(0)))
        case "endswith": return .bool(text.hasSuffix(try argument(0)))
        default: throw EvaluationError(message: "\(name) is not a method of a string", offset: offset)
        }
    }

    static func number(_ value: BAMLValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .float(let number): number
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }

    static func text(_ value: BAMLValue) -> String {
        switch value {
        case .null: "None"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .float(let number): String(number)
        case .string(let text): text
        case .list, .object: printed(value, indent: 0)
        }
    }

    /// A value printed into a prompt as BAML prints it: an object over several lines, four spaces
    /// in, a comma after every member; a list on one line (`["a", "b"]`).
    static func printed(_ value: BAMLValue, indent: Int) -> String {
        switch value {
        case .string(let text): return BAMLValue.string(text).json
        case .list(let items): return "[" + items.map { printed($0, indent: indent) }.joined(separator: ", ") + "]"
        case .object(let fields):
            guard !fields.isEmpty else { return "{}" }
            let pad = String(repeating: "    ", count: indent + 1)
            let members = fields.map { pad + BAMLValue.string($0.key).json + ": " + printed($0.value, indent: indent + 1) + ",\n" }.joined()
            return "{\n" + members + String(repeating: "    ", count: indent) + "}"
        default: return text(value)
        }
    }

    static func equal(_ a: BAMLValue, _ b: BAMLValue) -> Bool {
        if let x = number(a), let y = number(b), !(a == .bool(true) || a == .bool(false)) || !(b == .bool(true) || b == .bool(false)) { return x == y }
        return a == b
    }

    static func compare(_ a: BAMLValue, _ b: BAMLValue, at offset: Int) throws(EvaluationError) -> Int {
        if let x = number(a), let y = number(b) { return x < y ? -1 : x > y ? 1 : 0 }
        if case .string(let x) = a, case .string(let y) = b { return x < y ? -1 : x > y ? 1 : 0 }
        throw EvaluationError(message: "cannot compare \(a.json) with \(b.json)", offset: offset)
    }

    static func contains(_ container: BAMLValue, _ item: BAMLValue) -> Bool {
        switch container {
        case .list(let items): items.contains { equal($0, item) }
        case .string(let text): text.contains(Self.text(item))
        case .object(let fields): fields.contains { $0.key == Self.text(item) }
        default: false
        }
    }

    static func arithmetic(_ a: BAMLValue, _ b: BAMLValue, at offset: Int, _ operation: (Double, Double) -> Double) throws(EvaluationError) -> BAMLValue {
        guard let x = number(a), let y = number(b) else { throw EvaluationError(message: "arithmetic needs numbers, got \(a.json) and \(b.json)", offset: offset) }
        let result = operation(x, y)
        if case .int = a, case .int = b, result.rounded() == result, abs(result) < 9e15 { return .int(Int(result)) }
        return .float(result)
    }

    static func member(_ value: BAMLValue, _ name: String) -> BAMLValue {
        value[name] ?? .null
    }

    static func subscripted(_ value: BAMLValue, _ index: BAMLValue) -> BAMLValue {
        switch (value, index) {
        case (.list(let items), .int(let position)):
            let resolved = position < 0 ? items.count + position : position
            return items.indices.contains(resolved) ? items[resolved] : .null
        case (.object, .string(let key)): return value[key] ?? .null
        default: return .null
        }
    }

    static func apply(_ filter: String, to value: BAMLValue, _ arguments: [BAMLValue], at offset: Int) throws(EvaluationError) -> BAMLValue {
        switch filter {
        case "length", "count":
            switch value {
            case .list(let items): return .int(items.count)
            case .string(let text): return .int(text.count)
            case .object(let fields): return .int(fields.count)
            default: throw EvaluationError(message: "length of \(value.json)", offset: offset)
            }
        case "lower": return .string(text(value).lowercased())
        case "upper": return .string(text(value).uppercased())
        case "trim": return .string(text(value).trimmingWhitespace)
        case "title":
            return .string(text(value).lowercased().split(separator: " ", omittingEmptySubsequences: false)
                .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "))
        case "capitalize":
            let lowered = text(value).lowercased()
            return .string(lowered.prefix(1).uppercased() + lowered.dropFirst())
        case "string": return .string(text(value))
        case "int": return .int(Int(number(value) ?? Double(text(value)) ?? 0))
        case "float": return .float(number(value) ?? Double(text(value)) ?? 0)
        case "abs":
            if case .int(let number) = value { return .int(abs(number)) }
            return .float(abs(number(value) ?? 0))
        case "round":
            let digits = arguments.first.flatMap(number).map(Int.init) ?? 0
            let scale = pow10(digits)
            return .float(((number(value) ?? 0) * scale).rounded() / scale)
        case "first", "last":
            if case .list(let items) = value { return (filter == "first" ? items.first : items.last) ?? .null }
            if case .string(let text) = value { return (filter == "first" ? text.first : text.last).map { .string(String($0)) } ?? .null }
            return .null
        case "join":
            guard case .list(let items) = value else { return .string(text(value)) }
            return .string(items.map(text).joined(separator: arguments.first.map(text) ?? ""))
        case "default", "d":
            return value == .null ? (arguments.first ?? .string("")) : value
        case "replace":
            guard arguments.count >= 2 else { throw EvaluationError(message: "replace needs two arguments", offset: offset) }
            return .string(text(value).replacingOccurrences(of: text(arguments[0]), with: text(arguments[1])))
        case "sum":
            guard case .list(let items) = value else { return value }
            return items.reduce(BAMLValue.int(0)) { (try? arithmetic($0, $1, at: offset, +)) ?? $0 }
        case "reverse":
            if case .list(let items) = value { return .list(items.reversed()) }
            return .string(String(text(value).reversed()))
        case "tojson": return .string(value.json)
        default:
            throw EvaluationError(message: "unknown filter '\(filter)'", offset: offset)
        }
    }

    private static func pow10(_ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<max(0, digits) { scale *= 10 }
        return scale
    }
}
