/// An expression of the small condition language used in `condition`, gate conditions and
/// `{{ }}` templates: literals, dotted references, comparisons and `and` / `or` / `not`.
/// Expressions are data, evaluated by `evaluate(_:)`; nothing in them can execute code.
public indirect enum Expression: Sendable, Hashable {
    case literal(Value)
    /// A reference such as `data_quality.completeness_score`; list indices are segments too.
    case reference([String])
    case not(Expression)
    case binary(BinaryOperator, Expression, Expression)

    public enum BinaryOperator: String, Sendable, Hashable {
        case and, or
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// Every reference in the expression, in order of appearance.
    public var references: [[String]] {
        switch self {
        case .literal: []
        case .reference(let path): [path]
        case .not(let inner): inner.references
        case .binary(_, let lhs, let rhs): lhs.references + rhs.references
        }
    }

    /// Evaluates the expression.
    /// - Parameter resolve: gives the value a reference names, or `nil` when it names nothing.
    /// - Throws: `ExpressionError.unresolved` for a reference that `resolve` cannot give.
    public func evaluate(_ resolve: ([String]) -> Value?) throws -> Value {
        switch self {
        case .literal(let value):
            return value
        case .reference(let path):
            guard let value = resolve(path) else { throw ExpressionError.unresolved(path.joined(separator: ".")) }
            return value
        case .not(let inner):
            return .bool(!(try inner.evaluate(resolve).isTruthy))
        case .binary(.and, let lhs, let rhs):
            return .bool(try lhs.evaluate(resolve).isTruthy && rhs.evaluate(resolve).isTruthy)
        case .binary(.or, let lhs, let rhs):
            return .bool(try lhs.evaluate(resolve).isTruthy || rhs.evaluate(resolve).isTruthy)
        case .binary(let op, let lhs, let rhs):
            return .bool(Expression.compare(op, try lhs.evaluate(resolve), try rhs.evaluate(resolve)))
        }
    }

    /// Comparison semantics: numbers compare numerically (integers and decimals alike), strings
    /// lexicographically, everything else only for (in)equality. An ordering between values of
    /// different kinds, or with `null`, is false.
    static func compare(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) -> Bool {
        if let a = lhs.numberValue, let b = rhs.numberValue { return order(op, a, b) }
        if case .string(let a) = lhs, case .string(let b) = rhs { return order(op, a, b) }
        switch op {
        case .equal: return lhs == rhs
        case .notEqual: return lhs != rhs
        default: return false
        }
    }

    private static func order<T: Comparable>(_ op: BinaryOperator, _ a: T, _ b: T) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        case .and, .or: false
        }
    }
}

/// An error raised while evaluating an expression.
public enum ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    case unresolved(String)

    public var description: String {
        switch self {
        case .unresolved(let path): "'\(path)' has no value"
        }
    }
}

extension Value {
    /// Truthiness in conditions: `false`, `null`, zero, and empty strings, lists and objects are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .double(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }
}
