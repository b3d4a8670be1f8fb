/// A step input value that may hold `{{ expr }}` templates, compiled once when the workflow
/// loads. A string that is exactly one `{{ expr }}` yields the value with its type; text mixed
/// with templates interpolates to a string; lists and objects are resolved member by member.
public indirect enum Template: Sendable, Hashable {
    case constant(Value)
    /// A string that is exactly one `{{ expr }}`.
    case typed(Expression)
    case interpolated([Part])
    case array([Template])
    case object([String: Template])

    public enum Part: Sendable, Hashable {
        case text(String)
        case expression(Expression)
    }

    /// A template syntax error, at a character offset in the string that holds it.
    public struct SyntaxError: Error, Sendable {
        public var error: ExpressionSyntaxError
        /// The field path of the string within the value (`required_fields[1]`), empty at top level.
        public var path: String
    }

    /// Compiles a value from a workflow file.
    /// - Parameter value: the raw value; strings are scanned for `{{ … }}`.
    /// - Throws: `SyntaxError` for an unterminated `{{` or a malformed expression.
    public static func compile(_ value: Value) throws(SyntaxError) -> Template {
        try compile(value, path: "")
    }

    private static func compile(_ value: Value, path: String) throws(SyntaxError) -> Template {
        switch value {
        case .string(let text):
            do {
                return try compileString(text)
            } catch {
                throw SyntaxError(error: error, path: path)
            }
        case .array(let items):
            var compiled: [Template] = []
            for (index, item) in items.enumerated() { compiled.append(try compile(item, path: "\(path)[\(index)]")) }
            return compiled.allSatisfy(\.isConstant) ? .constant(value) : .array(compiled)
        case .object(let members):
            var compiled: [String: Template] = [:]
            for (key, member) in members { compiled[key] = try compile(member, path: path.isEmpty ? key : "\(path).\(key)") }
            return compiled.values.allSatisfy(\.isConstant) ? .constant(value) : .object(compiled)
        default:
            return .constant(value)
        }
    }

    private static func compileString(_ text: String) throws(ExpressionSyntaxError) -> Template {
        let chars = Array(text)
        var parts: [Part] = []
        var literal = ""
        var i = 0
        while i < chars.count {
            if chars[i] == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                var j = i + 2
                while j + 1 < chars.count, !(chars[j] == "}" && chars[j + 1] == "}") { j += 1 }
                guard j + 1 < chars.count else {
                    throw ExpressionSyntaxError(message: "'{{' is never closed", offset: i, hint: "close the template with '}}'")
                }
                let source = String(chars[(i + 2)..<j])
                do {
                    parts.append(.expression(try ExpressionParser.parse(source)))
                } catch {
                    throw ExpressionSyntaxError(message: error.message, offset: i + 2 + error.offset, hint: error.hint)
                }
                if !literal.isEmpty { parts.insert(.text(literal), at: parts.count - 1); literal = "" }
                i = j + 2
            } else {
                literal.append(chars[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        if parts.count == 1, case .expression(let expression) = parts[0] { return .typed(expression) }
        if parts.allSatisfy({ if case .text = $0 { true } else { false } }) { return .constant(.string(text)) }
        return .interpolated(parts)
    }

    public var isConstant: Bool {
        if case .constant = self { return true }
        return false
    }

    /// Every expression in the template.
    public var expressions: [Expression] {
        switch self {
        case .constant: []
        case .typed(let expression): [expression]
        case .interpolated(let parts): parts.compactMap { if case .expression(let e) = $0 { e } else { nil } }
        case .array(let items): items.flatMap(\.expressions)
        case .object(let members): members.keys.sorted().flatMap { members[$0]?.expressions ?? [] }
        }
    }

    /// Resolves the template.
    /// - Parameter resolve: gives the value a reference names.
    public func resolve(_ resolve: ([String]) -> Value?) throws -> Value {
        switch self {
        case .constant(let value): return value
        case .typed(let expression): return try expression.evaluate(resolve)
        case .interpolated(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .expression(let expression): text += try expression.evaluate(resolve).displayString
                }
            }
            return .string(text)
        case .array(let items): return .array(try items.map { try $0.resolve(resolve) })
        case .object(let members): return .object(try members.mapValues { try $0.resolve(resolve) })
        }
    }
}
