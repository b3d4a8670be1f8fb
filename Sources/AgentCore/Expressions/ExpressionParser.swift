/// A syntax error in an expression, at a character offset within the expression's text.
public struct ExpressionSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// Zero-based character offset in the parsed text.
    public var offset: Int
    public var hint: String?

    public var description: String { message }
}

/// Parses the condition language:
///
///     expr       := and ( ("or" | "||") and )*
///     and        := not ( ("and" | "&&") not )*
///     not        := ("not" | "!") not | comparison
///     comparison := primary ( ("==" | "!=" | "<" | "<=" | ">" | ">=") primary )?
///     primary    := number | string | true | false | null | reference | "(" expr ")" | "{{" expr "}}"
///     reference  := name ( "." name | "." digits | "[" digits "]" )*
///
/// `{{ … }}` inside a condition groups like parentheses: `{{ a.b }} > 0.6` compares the value of
/// `a.b`, never its text, so data can never inject syntax.
public struct ExpressionParser {
    private var tokens: [Token] = []
    private var position = 0
    private let length: Int

    /// Parses `text` as one expression.
    /// - Parameter text: the expression source.
    /// - Throws: `ExpressionSyntaxError` with the offset of the first problem.
    public static func parse(_ text: String) throws(ExpressionSyntaxError) -> Expression {
        var parser = ExpressionParser(length: text.count)
        parser.tokens = try Lexer.tokenize(text)
        let expression = try parser.parseOr()
        guard parser.position == parser.tokens.count else {
            let token = parser.tokens[parser.position]
            throw ExpressionSyntaxError(
                message: "unexpected \(token.kind.display) after a complete expression", offset: token.offset,
                hint: "join conditions with 'and' or 'or'")
        }
        return expression
    }

    private init(length: Int) { self.length = length }

    /// The deepest nesting of parentheses, templates and `not` accepted (a condition needs a handful;
    /// the bound keeps a hostile one from exhausting the stack).
    public static let maximumDepth = 64
    private var depth = 0

    /// Enters one level of nesting at `token`, or refuses when that is too deep.
    private mutating func nest(at token: Token) throws(ExpressionSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw ExpressionSyntaxError(message: "the expression nests deeper than \(Self.maximumDepth) levels", offset: token.offset,
                                        hint: "write the condition with fewer parentheses")
        }
    }

    private var current: Token? { position < tokens.count ? tokens[position] : nil }

    private mutating func accept(_ kinds: Token.Kind...) -> Token? {
        guard let token = current, kinds.contains(token.kind) else { return nil }
        position += 1
        return token
    }

    private mutating func parseOr() throws(ExpressionSyntaxError) -> Expression {
        var lhs = try parseAnd()
        while accept(.or) != nil { lhs = .binary(.or, lhs, try parseAnd()) }
        return lhs
    }

    private mutating func parseAnd() throws(ExpressionSyntaxError) -> Expression {
        var lhs = try parseNot()
        while accept(.and) != nil { lhs = .binary(.and, lhs, try parseNot()) }
        return lhs
    }

    private mutating func parseNot() throws(ExpressionSyntaxError) -> Expression {
        if let not = accept(.not) {
            try nest(at: not)
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(ExpressionSyntaxError) -> Expression {
        let lhs = try parsePrimary()
        if let token = current, case .comparison(let op) = token.kind {
            position += 1
            return .binary(op, lhs, try parsePrimary())
        }
        return lhs
    }

    private mutating func parsePrimary() throws(ExpressionSyntaxError) -> Expression {
        guard let token = current else {
            throw ExpressionSyntaxError(message: "expected a value, a name or '(' but the expression ended", offset: length,
                                        hint: "complete the expression, e.g. `score > 0.6`")
        }
        position += 1
        switch token.kind {
        case .literal(let value):
            return .literal(value)
        case .name(let first):
            var path = [first]
            while true {
                if accept(.dot) != nil {
                    guard let next = current else {
                        throw ExpressionSyntaxError(message: "expected a field name after '.'", offset: length, hint: nil)
                    }
                    switch next.kind {
                    case .name(let field): path.append(field)
                    case .literal(.int(let index)) where index >= 0: path.append(String(index))
                    default:
                        throw ExpressionSyntaxError(message: "expected a field name after '.', got \(next.kind.display)",
                                                    offset: next.offset, hint: nil)
                    }
                    position += 1
                } else if let open = accept(.openBracket) {
                    guard let indexToken = current, case .literal(let index) = indexToken.kind,
                          index.numberValue != nil || index.stringValue != nil
                    else {
                        throw ExpressionSyntaxError(message: "expected an index or a quoted key after '['", offset: open.offset + 1, hint: nil)
                    }
                    position += 1
                    path.append(index.displayString)
                    guard accept(.closeBracket) != nil else {
                        throw ExpressionSyntaxError(message: "expected ']'", offset: current?.offset ?? length, hint: nil)
                    }
                } else {
                    return .reference(path)
                }
            }
        case .openParen, .openTemplate:
            try nest(at: token)
            defer { depth -= 1 }
            let inner = try parseOr()
            let closing: Token.Kind = token.kind == .openParen ? .closeParen : .closeTemplate
            guard accept(closing) != nil else {
                throw ExpressionSyntaxError(
                    message: "expected '\(closing.display)' to close the '\(token.kind.display)' at column \(token.offset + 1)",
                    offset: current?.offset ?? length, hint: nil)
            }
            return inner
        default:
            throw ExpressionSyntaxError(message: "expected a value, a name or '(', got \(token.kind.display)", offset: token.offset,
                                        hint: token.kind == .closeTemplate ? "remove the stray '}}'" : nil)
        }
    }
}

private struct Token {
    enum Kind: Equatable {
        case literal(Value), name(String), comparison(Expression.BinaryOperator)
        case and, or, not, dot, openParen, closeParen, openBracket, closeBracket, openTemplate, closeTemplate

        var display: String {
            switch self {
            case .literal(let v): v.stringValue.map { "'\($0)'" } ?? v.displayString
            case .name(let n): "'\(n)'"
            case .comparison(let op): "'\(op.rawValue)'"
            case .and: "'and'"
            case .or: "'or'"
            case .not: "'not'"
            case .dot: "'.'"
            case .openParen: "("
            case .closeParen: ")"
            case .openBracket: "["
            case .closeBracket: "]"
            case .openTemplate: "{{"
            case .closeTemplate: "}}"
            }
        }
    }

    var kind: Kind
    var offset: Int
}

private enum Lexer {
    static let keywords: [String: Token.Kind] = [
        "and": .and, "or": .or, "not": .not,
        "true": .literal(.bool(true)), "True": .literal(.bool(true)),
        "false": .literal(.bool(false)), "False": .literal(.bool(false)),
        "null": .literal(.null), "None": .literal(.null), "none": .literal(.null),
    ]

    static func tokenize(_ text: String) throws(ExpressionSyntaxError) -> [Token] {
        let chars = Array(text)
        var tokens: [Token] = []
        var i = 0
        func peek(_ k: Int = 1) -> Character? { i + k < chars.count ? chars[i + k] : nil }
        while i < chars.count {
            let c = chars[i]
            let start = i
            if c.isWhitespace { i += 1; continue }
            func add(_ kind: Token.Kind, _ width: Int) { tokens.append(Token(kind: kind, offset: start)); i += width }
            switch c {
            case "{" where peek() == "{": add(.openTemplate, 2)
            case "}" where peek() == "}": add(.closeTemplate, 2)
            case "(": add(.openParen, 1)
            case ")": add(.closeParen, 1)
            case "[": add(.openBracket, 1)
            case "]": add(.closeBracket, 1)
            case ".": add(.dot, 1)
            case "=" where peek() == "=": add(.comparison(.equal), 2)
            case "!" where peek() == "=": add(.comparison(.notEqual), 2)
            case "!": add(.not, 1)
            case "<" where peek() == "=": add(.comparison(.lessOrEqual), 2)
            case "<": add(.comparison(.less), 1)
            case ">" where peek() == "=": add(.comparison(.greaterOrEqual), 2)
            case ">": add(.comparison(.greater), 1)
            case "&" where peek() == "&": add(.and, 2)
            case "|" where peek() == "|": add(.or, 2)
            case "=":
                throw ExpressionSyntaxError(message: "'=' is not an operator", offset: i, hint: "use '==' to compare")
            case "\"", "'":
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == c { closed = true; i += 1; break }
                    if d == "\\", i + 1 < chars.count {
                        let escaped = chars[i + 1]
                        value.append(escaped == "n" ? "\n" : escaped == "t" ? "\t" : escaped)
                        i += 2
                    } else {
                        value.append(d)
                        i += 1
                    }
                }
                guard closed else {
                    throw ExpressionSyntaxError(message: "unterminated string", offset: start, hint: "close it with \(c)")
                }
                tokens.append(Token(kind: .literal(.string(value)), offset: start))
            case _ where c.isNumber || (c == "-" && (peek()?.isNumber ?? false)):
                var literal = String(c)
                i += 1
                while i < chars.count, chars[i].isNumber || (chars[i] == "." && (peek()?.isNumber ?? false) && !literal.contains(".")) {
                    literal.append(chars[i])
                    i += 1
                }
                if let int = Int(literal) {
                    tokens.append(Token(kind: .literal(.int(int)), offset: start))
                } else if let double = Double(literal) {
                    tokens.append(Token(kind: .literal(.double(double)), offset: start))
                } else {
                    throw ExpressionSyntaxError(message: "malformed number '\(literal)'", offset: start, hint: nil)
                }
            case _ where c.isLetter || c == "_":
                var name = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "-" {
                    name.append(chars[i])
                    i += 1
                }
                tokens.append(Token(kind: keywords[name] ?? .name(name), offset: start))
            default:
                throw ExpressionSyntaxError(message: "unexpected character '\(c)'", offset: i,
                                            hint: "expressions use names, numbers, quoted strings, comparisons and and/or/not")
            }
        }
        return tokens
    }
}
