/// The declarations of a set of `.baml` files.
public struct BAMLSchema: Sendable {
    public var classes: [String: ClassDefinition] = [:]
    public var enums: [String: EnumDefinition] = [:]
    public var aliases: [String: TypeAlias] = [:]
    public var functions: [String: FunctionDefinition] = [:]
    public var clients: [String: ClientDefinition] = [:]
    public var retryPolicies: [String: RetryPolicyDefinition] = [:]
    public var templateStrings: [String: TemplateStringDefinition] = [:]
    public var tests: [TestDefinition] = []

    public init() {}

    /// Whether a name is declared as a class, enum or alias.
    public func declares(_ name: String) -> Bool { classes[name] != nil || enums[name] != nil || aliases[name] != nil }
}

/// Where a declaration is, for diagnostics.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var description: String { "\(file):\(line):\(column)" }
}

public struct ClassDefinition: Sendable {
    public struct Field: Sendable {
        public var name: String
        public var type: FieldType
        public var alias: String?
        public var description: String?
        public var position: SourcePosition
        /// The name the model sees: the alias, else the name.
        public var renderedName: String { alias ?? name }
    }

    public var name: String
    public var fields: [Field]
    public var description: String?
    public var isDynamic: Bool
    /// `@@assert` / `@@check` on the whole class, and `@@stream.done`.
    public var attributes: FieldAttributes
    public var position: SourcePosition
}

public struct EnumDefinition: Sendable {
    public struct Value: Sendable {
        public var name: String
        public var alias: String?
        public var description: String?
        public var skip: Bool
        public var renderedName: String { alias ?? name }
    }

    public var name: String
    public var values: [Value]
    public var isDynamic: Bool
    public var position: SourcePosition
}

public struct TypeAlias: Sendable {
    public var name: String
    public var type: FieldType
    public var position: SourcePosition
}

public struct FunctionDefinition: Sendable {
    public struct Parameter: Sendable {
        public var name: String
        public var type: FieldType
    }

    public var name: String
    public var parameters: [Parameter]
    public var returnType: FieldType
    /// A client name, or a shorthand `provider/model`.
    public var client: String
    public var prompt: String
    public var position: SourcePosition
}

/// `client<llm> Name { provider …, retry_policy …, options { … } }`.
public struct ClientDefinition: Sendable {
    public var name: String
    public var provider: String
    public var retryPolicy: String?
    /// The `options` block as nested key/values (`strategy` lists included).
    public var options: [String: ConfigValue]
    public var position: SourcePosition
}

public struct RetryPolicyDefinition: Sendable {
    public enum Strategy: Sendable, Hashable {
        case constantDelay(milliseconds: Int)
        case exponentialBackoff(milliseconds: Int, multiplier: Double, maxMilliseconds: Int)
    }

    public var name: String
    /// Additional attempts after the first.
    public var maxRetries: Int
    public var strategy: Strategy
    public var position: SourcePosition
}

public struct TemplateStringDefinition: Sendable {
    public var name: String
    public var parameters: [FunctionDefinition.Parameter]
    public var body: String
    public var position: SourcePosition
}

public struct TestDefinition: Sendable {
    public var name: String
    public var functions: [String]
    public var arguments: [String: ConfigValue]
    /// `@@assert` / `@@check` on the result.
    public var constraints: [Constraint]
    public var position: SourcePosition
}

/// A value in a client, test or retry-policy block: text, a number, a list or a nested block.
public indirect enum ConfigValue: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([ConfigValue])
    case block([String: ConfigValue])

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
