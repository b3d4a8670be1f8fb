import Foundation

/// Parses `.baml` source into a `BAMLSchema`: classes, enums, type aliases, functions, clients,
/// retry policies, template strings and tests. Errors carry file:line:column and a hint.
public struct BAMLParser {
    private var scanner: BAMLScanner
    /// How deep the type being read nests (`map<string, (int | T[])>`); bounded so a hostile file cannot exhaust the stack.
    private var typeDepth = 0
    static let maximumTypeDepth = 64
    /// Problems that leave the declaration readable (a duplicate field, a keyword as a name, …):
    /// reported with the others, after the whole file is read.
    private var problems: [BAMLError] = []

    private init(source: String, file: String) { scanner = BAMLScanner(source: source, file: file) }

    /// Parses several files into one schema and checks that every type they name is declared.
    /// - Parameter files: (path, source) pairs.
    public static func parse(files: [(path: String, source: String)]) throws(BAMLError) -> BAMLSchema {
        var schema = BAMLSchema()
        var errors: [BAMLError] = []
        for file in files {
            var parser = BAMLParser(source: file.source, file: file.path)
            parser.parseDeclarations(into: &schema, errors: &errors)
            errors += parser.problems
        }
        // After a declaration that did not parse, its name is unknown: only the other checks are meaningful.
        errors += BAMLValidator.problems(in: schema, checkingTypes: errors.isEmpty)
        errors.sort { ($0.position.file, $0.position.line, $0.position.column) < ($1.position.file, $1.position.line, $1.position.column) }
        if let combined = BAMLError.combining(errors) { throw combined }
        return schema
    }

    /// The `.baml` files in `directory` and its subfolders (as BAML reads a `baml_src`), sorted by path, with their text.
    public static func sources(inDirectory directory: String) -> [(path: String, source: String)] {
        let found = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return found.filter { $0.hasSuffix(".baml") }.sorted()
            .compactMap { name in
                let path = (directory as NSString).appendingPathComponent(name)
                return (try? String(contentsOfFile: path, encoding: .utf8)).map { (path, $0) }
            }
    }

    /// Parses one source text (a file or a snippet).
    public static func parse(_ source: String, file: String = "<input>") throws(BAMLError) -> BAMLSchema {
        try parse(files: [(file, source)])
    }

    /// Parses a type expression such as `(Foo | Bar)[]` or `map<string, int>`.
    public static func parseType(_ text: String) throws(BAMLError) -> FieldType {
        var parser = BAMLParser(source: text, file: "<type>")
        let type = try parser.type()
        parser.scanner.skipTrivia()
        guard parser.scanner.isAtEnd else { throw parser.scanner.error("unexpected text after the type '\(type)'") }
        return type
    }

    // MARK: Declarations

    /// Every declaration of the file; a declaration that does not parse is recorded in `errors` and
    /// the reading goes on at the next line that starts a declaration (so `check` lists them all).
    private mutating func parseDeclarations(into schema: inout BAMLSchema, errors: inout [BAMLError]) {
        while errors.count < Self.maximumErrors {
            scanner.skipTrivia()
            guard !scanner.isAtEnd else { return }
            do {
                try parseDeclaration(into: &schema)
            } catch {
                errors.append(error)
                skipToNextDeclaration()
            }
        }
    }

    static let maximumErrors = 100
    static let declarationKeywords: Set<String> = ["class", "enum", "type", "function", "client", "retry_policy", "template_string", "test", "generator"]

    /// Moves to the next line that begins with a declaration keyword (or the end).
    private mutating func skipToNextDeclaration() {
        while !scanner.isAtEnd {
            let character = scanner.advance()
            guard character == "\n" else { continue }
            var probe = scanner
            if let word = probe.identifier(), Self.declarationKeywords.contains(word) { return }
        }
    }

    private mutating func parseDeclaration(into schema: inout BAMLSchema) throws(BAMLError) {
        let position = scanner.position
        guard let keyword = scanner.identifier() else {
            throw scanner.error("expected a declaration (class, enum, type, function, client<llm>, retry_policy, template_string, test, generator)")
        }
        switch keyword {
        case "class":
            let definition = try classDefinition(at: position)
            try declareType(definition.name, at: position, in: schema)
            schema.classes[definition.name] = definition
        case "enum":
            let definition = try enumDefinition(at: position)
            try declareType(definition.name, at: position, in: schema)
            schema.enums[definition.name] = definition
        case "type":
            let name = try name("a type alias name")
            try scanner.expect("=", "'=' after the alias name")
            scanner.skipTrivia()
            let alias = TypeAlias(name: name, type: try attributedType(), position: position)
            try declareType(name, at: position, in: schema)
            schema.aliases[name] = alias
        case "function":
            let function = try functionDefinition(at: position)
            schema.functions[function.name] = function
        case "client":
            let client = try clientDefinition(at: position)
            schema.clients[client.name] = client
        case "retry_policy":
            let policy = try retryPolicy(at: position)
            schema.retryPolicies[policy.name] = policy
        case "template_string":
            let template = try templateString(at: position)
            schema.templateStrings[template.name] = template
        case "test":
            schema.tests.append(try testDefinition(at: position))
        case "generator":
            _ = try name("a generator name")
            _ = try block()
        default:
            throw BAMLError("unknown declaration '\(keyword)'", at: position,
                            hint: "declarations are class, enum, type, function, client<llm>, retry_policy, template_string, test and generator")
        }
    }

    private func declareType(_ name: String, at position: SourcePosition, in schema: BAMLSchema) throws(BAMLError) {
        if schema.declares(name) { throw BAMLError("'\(name)' is declared twice", at: position) }
    }

    private mutating func name(_ what: String) throws(BAMLError) -> String {
        scanner.skipTrivia()
        guard let name = scanner.identifier() else { throw scanner.error("expected \(what)") }
        return name
    }

    /// Words BAML keeps for itself (its types and keywords, and those of the languages it generates
    /// clients for), which it refuses as field names.
    static let reservedFieldNames: Set<String> = [
        "string", "int", "float", "bool", "null", "true", "false", "image", "audio", "pdf", "video", "class", "enum", "function",
        "dynamic", "union", "for", "while", "in", "elif", "else", "break", "continue", "return", "yield", "let", "var", "const",
        "mut", "self", "this", "struct", "async", "await", "with", "import", "export", "package", "and", "or", "not", "any", "assert",
        "try", "catch", "finally", "throw", "throws", "do", "switch", "new", "void", "typeof", "instanceof", "extends", "implements",
        "lambda", "global", "nonlocal", "goto", "private", "protected", "public", "static", "super", "native", "transient", "volatile",
        "byte", "char", "short", "long",
    ]

    /// A class or enum name, or an enum value: BAML wants them to start with an uppercase letter.
    private mutating func requireCapitalized(_ name: String, _ what: String, at position: SourcePosition) {
        guard let first = name.first, !first.isUppercase else { return }
        problems.append(BAMLError("\(what) '\(name)' must start with an uppercase letter", at: position, hint: "write '\(first.uppercased() + name.dropFirst())'"))
    }

    private mutating func classDefinition(at position: SourcePosition) throws(BAMLError) -> ClassDefinition {
        let name = try name("a class name")
        requireCapitalized(name, "the class name", at: position)
        try scanner.expect("{", "'{' to open class \(name)")
        var fields: [ClassDefinition.Field] = []
        var attributes = FieldAttributes()
        var description: String?
        var isDynamic = false
        while true {
            scanner.skipTrivia()
            if scanner.current == "}" { scanner.advance(); break }
            guard !scanner.isAtEnd else { throw BAMLError("class \(name) is not closed", at: position, hint: "add '}'") }
            if scanner.looking(at: "@@") {
                let attribute = try self.attribute(block: true)
                switch attribute.name {
                case "dynamic": isDynamic = true
                case "description": description = attribute.text
                case "alias": break
                default: try apply(attribute, to: &attributes)
                }
                continue
            }
            let fieldPosition = scanner.position
            guard let fieldName = scanner.identifier() else { throw scanner.error("expected a field name in class \(name)") }
            scanner.skipTrivia(newlines: false)
            let fieldType = try type()
            var field = ClassDefinition.Field(name: fieldName, type: fieldType, alias: nil, description: nil, position: fieldPosition)
            var fieldAttributes = FieldAttributes()
            var skipped = false
            while true {
                scanner.skipTrivia()   // an attribute may stand on a line of its own under the field
                guard scanner.current == "@" && scanner.peek(1) != "@" else { break }
                let attribute = try self.attribute(block: false)
                switch attribute.name {
                case "alias": field.alias = attribute.text
                case "description": field.description = attribute.text
                case "skip": skipped = true
                default: try apply(attribute, to: &fieldAttributes)
                }
            }
            if !fieldAttributes.isEmpty { field.type = .constrained(field.type, fieldAttributes) }
            if Self.reservedFieldNames.contains(fieldName) {
                problems.append(BAMLError("field '\(fieldName)' of class \(name): a field cannot be named after a BAML keyword", at: fieldPosition,
                                          hint: "rename it and keep the model's name with @alias(\"\(fieldName)\")"))
            }
            if skipped && !fieldType.isOptional {
                problems.append(BAMLError("field '\(fieldName)' of class \(name) has @skip, so it must be optional", at: fieldPosition,
                                          hint: "make it `\(fieldName) \(fieldType)?`"))
            }
            if fields.contains(where: { $0.name == fieldName }) {
                problems.append(BAMLError("field '\(fieldName)' is already defined on class \(name)", at: fieldPosition))
            }
            fields.append(field)
        }
        return ClassDefinition(name: name, fields: fields, description: description, isDynamic: isDynamic, attributes: attributes, position: position)
    }

    private mutating func enumDefinition(at position: SourcePosition) throws(BAMLError) -> EnumDefinition {
        let name = try name("an enum name")
        requireCapitalized(name, "the enum name", at: position)
        try scanner.expect("{", "'{' to open enum \(name)")
        var values: [EnumDefinition.Value] = []
        var isDynamic = false
        while true {
            scanner.skipTrivia()
            if scanner.current == "}" { scanner.advance(); break }
            guard !scanner.isAtEnd else { throw BAMLError("enum \(name) is not closed", at: position, hint: "add '}'") }
            if scanner.looking(at: "@@") {
                if try attribute(block: true).name == "dynamic" { isDynamic = true }
                continue
            }
            let valuePosition = scanner.position
            guard let valueName = scanner.identifier() else { throw scanner.error("expected an enum value in enum \(name)") }
            requireCapitalized(valueName, "the value", at: valuePosition)
            if values.contains(where: { $0.name == valueName }) {
                problems.append(BAMLError("value '\(valueName)' is already defined on enum \(name)", at: valuePosition))
            }
            var value = EnumDefinition.Value(name: valueName, alias: nil, description: nil, skip: false)
            while true {
                scanner.skipTrivia()   // an attribute may stand on a line of its own under the value
                guard scanner.current == "@" && scanner.peek(1) != "@" else { break }
                let attribute = try self.attribute(block: false)
                switch attribute.name {
                case "alias": value.alias = attribute.text
                case "description": value.description = attribute.text
                case "skip": value.skip = true
                default: throw scanner.error("enum values take @alias, @description and @skip, not @\(attribute.name)")
                }
            }
            values.append(value)
        }
        return EnumDefinition(name: name, values: values, isDynamic: isDynamic, position: position)
    }

    private mutating func functionDefinition(at position: SourcePosition) throws(BAMLError) -> FunctionDefinition {
        let name = try name("a function name")
        let parameters = try parameterList()
        try scanner.expect("->", "'->' and the return type of \(name)")
        scanner.skipTrivia()
        let returnType = try attributedType()
        try scanner.expect("{", "'{' to open function \(name)")
        var client: String?
        var prompt: String?
        while true {
            scanner.skipTrivia()
            if scanner.current == "}" { scanner.advance(); break }
            let keyPosition = scanner.position
            guard let key = scanner.identifier() else { throw scanner.error("expected 'client' or 'prompt' in function \(name)") }
            scanner.skipTrivia(newlines: false)
            switch key {
            case "client":
                client = try scanner.stringLiteral() ?? clientShorthand()
            case "prompt":
                if scanner.current == "\"" {
                    problems.append(scanner.error("the prompt of \(name) is a plain string; BAML wants a raw string", hint: "write prompt #\"…\"#"))
                }
                guard let text = try scanner.stringLiteral() else { throw scanner.error("expected the prompt as a raw string #\"…\"#") }
                prompt = text
            default:
                throw BAMLError("unknown function field '\(key)'", at: keyPosition, hint: "a function has a client and a prompt")
            }
        }
        guard let client else { throw BAMLError("function \(name) has no client", at: position, hint: "add `client \"openai/gpt-4o-mini\"` or the name of a client<llm>") }
        guard let prompt else { throw BAMLError("function \(name) has no prompt", at: position, hint: "add `prompt #\"…\"#`") }
        return FunctionDefinition(name: name, parameters: parameters, returnType: returnType, client: client, prompt: prompt, position: position)
    }

    private mutating func parameterList() throws(BAMLError) -> [FunctionDefinition.Parameter] {
        try scanner.expect("(", "'(' and the parameters")
        var parameters: [FunctionDefinition.Parameter] = []
        while true {
            scanner.skipTrivia()
            if scanner.current == ")" { scanner.advance(); break }
            let parameter = try name("a parameter name")
            try scanner.expect(":", "':' and the type of parameter \(parameter)")
            scanner.skipTrivia()
            parameters.append(.init(name: parameter, type: try attributedType()))
            scanner.skipTrivia()
            if scanner.current == "," { scanner.advance() }
        }
        return parameters
    }

    /// A client named in a function: `Name`, or the unquoted shorthand `provider/model` (`openai/gpt-4o`).
    private mutating func clientShorthand() -> String? {
        guard var text = scanner.identifier() else { return nil }
        if scanner.current == "/" {
            while let character = scanner.current, !character.isWhitespace, character != "}" {
                text.append(character)
                scanner.advance()
            }
        }
        return text
    }

    /// `client<llm> Name { … }`, or `client Name { … }` (an LLM client either way).
    private mutating func clientDefinition(at position: SourcePosition) throws(BAMLError) -> ClientDefinition {
        scanner.skipTrivia(newlines: false)
        if scanner.current == "<" {
            scanner.advance()
            let kind = try name("the client kind")
            guard kind == "llm" else { throw scanner.error("only client<llm> is supported, not client<\(kind)>") }
            try scanner.expect(">", "'>' after client<llm")
        }
        let name = try name("a client name")
        let body = try block()
        guard let provider = body["provider"]?.string else {
            throw BAMLError("client \(name) has no provider", at: position, hint: "add `provider openai` (or anthropic, openai-generic, fallback, round-robin)")
        }
        var options: [String: ConfigValue] = [:]
        if case .block(let values)? = body["options"] { options = values }
        return ClientDefinition(name: name, provider: provider, retryPolicy: body["retry_policy"]?.string, options: options, position: position)
    }

    private mutating func retryPolicy(at position: SourcePosition) throws(BAMLError) -> RetryPolicyDefinition {
        let name = try name("a retry policy name")
        let body = try block()
        let retries: Int
        switch body["max_retries"] {
        case .number(let number)?: retries = Int(number)
        case nil: retries = 0
        default: throw BAMLError("max_retries of \(name) must be a number", at: position)
        }
        var strategy = RetryPolicyDefinition.Strategy.constantDelay(milliseconds: 200)
        if case .block(let values)? = body["strategy"] {
            func number(_ key: String, _ fallback: Double) -> Double {
                if case .number(let value)? = values[key] { return value }
                return fallback
            }
            switch values["type"]?.string ?? "constant_delay" {
            case "constant_delay": strategy = .constantDelay(milliseconds: Int(number("delay_ms", 200)))
            case "exponential_backoff":
                strategy = .exponentialBackoff(milliseconds: Int(number("delay_ms", 200)), multiplier: number("multiplier", 1.5),
                                               maxMilliseconds: Int(number("max_delay_ms", 10_000)))
            case let other:
                throw BAMLError("unknown retry strategy '\(other)' in \(name)", at: position, hint: "use constant_delay or exponential_backoff")
            }
        }
        return RetryPolicyDefinition(name: name, maxRetries: retries, strategy: strategy, position: position)
    }

    private mutating func templateString(at position: SourcePosition) throws(BAMLError) -> TemplateStringDefinition {
        let name = try name("a template string name")
        scanner.skipTrivia()
        let parameters = scanner.current == "(" ? try parameterList() : []
        scanner.skipTrivia()
        guard let body = try scanner.stringLiteral() else { throw scanner.error("expected the template as a raw string #\"…\"#") }
        return TemplateStringDefinition(name: name, parameters: parameters, body: body, position: position)
    }

    private mutating func testDefinition(at position: SourcePosition) throws(BAMLError) -> TestDefinition {
        let name = try name("a test name")
        scanner.skipTrivia(newlines: false)
        if scanner.current == "(" {   // `test Name() {`
            scanner.advance()
            scanner.skipTrivia()
            try scanner.expect(")", "')' after 'test \(name)('")
        }
        try scanner.expect("{", "'{' to open test \(name)")
        var functions: [String] = []
        var arguments: [String: ConfigValue] = [:]
        var constraints: [Constraint] = []
        while true {
            scanner.skipTrivia()
            if scanner.current == "}" { scanner.advance(); break }
            guard !scanner.isAtEnd else { throw BAMLError("test \(name) is not closed", at: position) }
            if scanner.looking(at: "@@") {
                var attributes = FieldAttributes()
                try apply(try attribute(block: true), to: &attributes)
                constraints += attributes.constraints
                continue
            }
            let key = try self.name("'functions' or 'args'")
            scanner.skipTrivia(newlines: false)
            if key == "type_builder" {
                // Declarations that extend @@dynamic types for this test only: checked for balance, not applied.
                try skipBalancedBlock()
                continue
            }
            let value = try configValue()
            switch key {
            case "functions":
                guard case .list(let items) = value else { throw scanner.error("functions takes a list: functions [Name]") }
                functions = items.compactMap(\.string)
            case "args":
                guard case .block(let values) = value else { throw scanner.error("args takes a block: args { name \"value\" }") }
                arguments = values
            default:
                throw scanner.error("unknown test field '\(key)'", hint: "a test has functions, args and @@assert/@@check")
            }
        }
        return TestDefinition(name: name, functions: functions, arguments: arguments, constraints: constraints, position: position)
    }

    // MARK: Blocks of settings

    /// Skips a `{ … }` block and whatever it nests (strings and raw strings included).
    private mutating func skipBalancedBlock() throws(BAMLError) {
        let start = scanner.position
        try scanner.expect("{", "'{'")
        var depth = 1
        while depth > 0 {
            scanner.skipTrivia()
            guard let character = scanner.current else { throw BAMLError("a block is not closed", at: start, hint: "add '}'") }
            if try scanner.stringLiteral() != nil { continue }
            if character == "{" { depth += 1 } else if character == "}" { depth -= 1 }
            scanner.advance()
        }
    }

    private mutating func block() throws(BAMLError) -> [String: ConfigValue] {
        try scanner.expect("{", "'{'")
        var values: [String: ConfigValue] = [:]
        while true {
            scanner.skipTrivia()
            if scanner.current == "}" { scanner.advance(); return values }
            guard !scanner.isAtEnd else { throw scanner.error("a block is not closed", hint: "add '}'") }
            let key: String
            if let quoted = try scanner.stringLiteral() { key = quoted } else { key = try name("a setting name") }
            scanner.skipTrivia(newlines: false)
            if scanner.current == ":" { scanner.advance() }   // `key: value`, as in JSON
            values[key] = try configValue()
            scanner.skipTrivia(newlines: false)
            if scanner.current == "," { scanner.advance() }   // `key value,`
        }
    }

    private mutating func configValue() throws(BAMLError) -> ConfigValue {
        scanner.skipTrivia(newlines: false)
        switch scanner.current {
        case "{": return .block(try block())
        case "[":
            scanner.advance()
            var items: [ConfigValue] = []
            while true {
                scanner.skipTrivia()
                if scanner.current == "]" { scanner.advance(); return .list(items) }
                guard !scanner.isAtEnd else { throw scanner.error("a list is not closed", hint: "add ']'") }
                items.append(try configValue())
                scanner.skipTrivia()
                if scanner.current == "," { scanner.advance() }
            }
        default:
            if let text = try scanner.stringLiteral() { return .string(text) }
            var word = ""
            while let character = scanner.current, !character.isWhitespace, character != "}", character != "]", character != "," {
                word.append(character)
                scanner.advance()
            }
            guard !word.isEmpty else { throw scanner.error("expected a value") }
            if word == "true" || word == "false" { return .bool(word == "true") }
            if let number = Double(word) { return .number(number) }
            return .string(word)
        }
    }

    // MARK: Attributes

    private struct Attribute {
        var name: String
        var arguments: [String]
        var expressions: [String]
        /// Where its `@` is.
        var position: SourcePosition
        var text: String? { arguments.first }
    }

    /// `@name`, `@name(arg)`, `@name(label, {{ expr }})`; `@@name…` when `block`.
    private mutating func attribute(block: Bool) throws(BAMLError) -> Attribute {
        let position = scanner.position
        scanner.skip(block ? "@@" : "@")
        guard let name = scanner.identifier() else { throw scanner.error("expected an attribute name after '@'") }
        var attribute = Attribute(name: name, arguments: [], expressions: [], position: position)
        guard scanner.current == "(" else { return attribute }
        scanner.advance()
        while true {
            scanner.skipTrivia()
            if scanner.current == ")" { scanner.advance(); return attribute }
            guard !scanner.isAtEnd else { throw scanner.error("@\(name)( is not closed", hint: "add ')'") }
            if scanner.looking(at: "{{") {
                let start = scanner.position
                scanner.skip("{{")
                var expression = ""
                while !scanner.isAtEnd && !scanner.looking(at: "}}") { expression.append(scanner.current!); scanner.advance() }
                guard scanner.looking(at: "}}") else { throw BAMLError("'{{' is not closed", at: start, hint: "add '}}'") }
                scanner.skip("}}")
                attribute.expressions.append(expression.trimmingWhitespace)
            } else if let text = try scanner.stringLiteral() {
                attribute.arguments.append(text)
            } else {
                attribute.arguments.append(scanner.balanced(until: [",", ")"]).trimmingWhitespace)
            }
            scanner.skipTrivia()
            if scanner.current == "," { scanner.advance() }
        }
    }

    private func apply(_ attribute: Attribute, to attributes: inout FieldAttributes) throws(BAMLError) {
        switch attribute.name {
        case "assert", "check":
            guard let expression = attribute.expressions.first else {
                throw scanner.error("@\(attribute.name) needs an expression: @\(attribute.name)(name, {{ this > 0 }})")
            }
            attributes.constraints.append(Constraint(level: attribute.name == "assert" ? .assert : .check, name: attribute.arguments.first,
                                                     expression: expression))
        case "stream.done": attributes.streamDone = true
        case "stream.not_null": attributes.streamNotNull = true
        case "stream.with_state": attributes.streamWithState = true
        case "skip", "dynamic": break
        default:
            throw BAMLError("unknown attribute @\(attribute.name)", at: attribute.position,
                            hint: "fields take @alias, @description, @assert, @check, @stream.done, @stream.not_null, @stream.with_state")
        }
    }

    // MARK: Types

    /// A type with the attributes written after it on the same line (`string @check(ten, {{ … }})`):
    /// a type alias's, a function's return type's, a parameter's. `@description` and `@alias` say
    /// nothing about the value and are left out.
    private mutating func attributedType() throws(BAMLError) -> FieldType {
        let base = try type()
        var attributes = FieldAttributes()
        while true {
            scanner.skipTrivia(newlines: false)
            guard scanner.current == "@" && scanner.peek(1) != "@" else { break }
            let attribute = try self.attribute(block: false)
            if attribute.name != "description" && attribute.name != "alias" { try apply(attribute, to: &attributes) }
        }
        return attributes.isEmpty ? base : .constrained(base, attributes)
    }

    private mutating func type() throws(BAMLError) -> FieldType {
        typeDepth += 1
        defer { typeDepth -= 1 }
        guard typeDepth <= Self.maximumTypeDepth else {
            throw scanner.error("the type nests deeper than \(Self.maximumTypeDepth) levels", hint: "name the inner types with classes or type aliases")
        }
        var options = [try postfixType()]
        while true {
            let save = scanner
            scanner.skipTrivia()
            guard scanner.current == "|" else { scanner = save; break }
            scanner.advance()
            scanner.skipTrivia()
            options.append(try postfixType())
        }
        return options.count == 1 ? options[0] : .union(options)
    }

    private mutating func postfixType() throws(BAMLError) -> FieldType {
        var type = try primaryType()
        while true {
            if scanner.looking(at: "[]") { scanner.skip("[]"); type = .list(type) }
            else if scanner.current == "?" { scanner.advance(); type = .optional(type) }
            else { return type }
        }
    }

    private mutating func primaryType() throws(BAMLError) -> FieldType {
        if scanner.current == "(" {
            scanner.advance()
            scanner.skipTrivia()
            let inner = try type()
            try scanner.expect(")", "')' to close the type")
            return inner
        }
        if let text = try scanner.stringLiteral() { return .literal(.string(text)) }
        if let character = scanner.current, character.isNumber || character == "-" {
            var digits = String(character)
            scanner.advance()
            while let next = scanner.current, next.isNumber { digits.append(next); scanner.advance() }
            guard let number = Int(digits) else { throw scanner.error("'\(digits)' is not an integer literal") }
            return .literal(.int(number))
        }
        guard let name = scanner.identifier() else {
            throw scanner.error("expected a type", hint: "types are string, int, float, bool, null, image, audio, pdf, video, a class, enum or alias name, \"literal\", T[], T?, map<K, V> and A | B")
        }
        switch name {
        case "string": return .primitive(.string)
        case "int": return .primitive(.int)
        case "float": return .primitive(.float)
        case "bool": return .primitive(.bool)
        case "null": return .primitive(.null)
        case "image", "audio", "pdf", "video": return .primitive(FieldType.Primitive(rawValue: name) ?? .string)
        case "true", "false": return .literal(.bool(name == "true"))
        case "map":
            try scanner.expect("<", "'<' after map")
            scanner.skipTrivia()
            let key = try type()
            try scanner.expect(",", "',' between the key and value types of map")
            scanner.skipTrivia()
            let value = try type()
            try scanner.expect(">", "'>' to close map<…>")
            return .map(key: key, value: value)
        default:
            return .named(name)
        }
    }
}
