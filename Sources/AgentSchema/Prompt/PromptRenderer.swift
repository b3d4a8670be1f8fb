/// One chat message of a rendered prompt.
public struct PromptMessage: Sendable, Hashable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Renders a BAML function's prompt into chat messages: its Jinja template with the arguments,
/// `ctx.output_format`, `_.role("…")` splitting messages, and `template_string`s as functions.
public struct PromptRenderer: Sendable {
    public let schema: BAMLSchema

    public init(schema: BAMLSchema) { self.schema = schema }

    public struct RenderError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    private static let roleMarker = "\u{1E}role:"

    /// The messages of `function` called with `arguments`.
    /// - Parameters:
    ///   - function: the function's name.
    ///   - arguments: its arguments by parameter name.
    ///   - defaultRole: the role of text before any `_.role(…)`; nil: the client's, as BAML chooses it
    ///     (`defaultRole(ofClient:)`).
    public func render(function name: String, arguments: [String: BAMLValue], defaultRole: String? = nil) throws(RenderError) -> [PromptMessage] {
        guard let function = schema.functions[name] else {
            throw RenderError(message: "no function named \(name)\(schema.functions.isEmpty ? "" : "; known: \(schema.functions.keys.sorted().joined(separator: ", "))")")
        }
        for parameter in function.parameters where arguments[parameter.name] == nil && !parameter.type.isOptional {
            throw RenderError(message: "\(name) needs the argument \(parameter.name) (\(parameter.type))")
        }
        let template: JinjaTemplate
        do {
            template = try JinjaTemplate(function.prompt, file: "\(function.position.file) (prompt of \(name))")
        } catch {
            throw RenderError(message: error.description)
        }
        let outputFormat = OutputFormat(schema: schema)
        var variables = arguments
        for parameter in function.parameters {
            variables[parameter.name] = variables[parameter.name].map { ordered($0, as: parameter.type) } ?? .null
        }
        variables["ctx"] = .object([
            .init("output_format", .string(outputFormat.render(function.returnType))),
            .init("client", .object([.init("name", .string(function.client)), .init("provider", .string(provider(of: function.client)))])),
        ])
        variables["_"] = .object([])
        let rendered: String
        do {
            rendered = try template.render(variables, call: makeCallHandler(function, outputFormat))
        } catch {
            throw RenderError(message: error.description)
        }
        return Self.split(rendered, defaultRole: defaultRole ?? self.defaultRole(ofClient: function.client))
    }

    /// An argument with each object's members in the order its class declares them (as BAML prints them).
    private func ordered(_ value: BAMLValue, as type: FieldType, depth: Int = 0) -> BAMLValue {
        guard depth < 32 else { return value }
        switch (type.base, value) {
        case (.optional(let inner), _): return ordered(value, as: inner, depth: depth + 1)
        case (.list(let element), .list(let items)): return .list(items.map { ordered($0, as: element, depth: depth + 1) })
        case (.named(let name), _):
            if let alias = schema.aliases[name] { return ordered(value, as: alias.type, depth: depth + 1) }
            guard let definition = schema.classes[name], case .object(let fields) = value else { return value }
            let declared = definition.fields.compactMap { field in
                fields.first { $0.key == field.name }.map { BAMLValue.Field($0.key, ordered($0.value, as: field.type, depth: depth + 1)) }
            }
            return .object(declared + fields.filter { member in !definition.fields.contains { $0.name == member.key } })
        default: return value
        }
    }

    /// The role BAML gives text before any `_.role(…)`: the client's `default_role` option, else
    /// `system` for OpenAI's APIs and `user` for the others (Anthropic, Ollama, Google, Bedrock, …);
    /// a fallback or round-robin client's first client decides.
    public func defaultRole(ofClient client: String, depth: Int = 0) -> String {
        let declared = schema.clients[client]
        if let role = declared?.options["default_role"]?.string { return role }
        let provider = self.provider(of: client)
        if ["fallback", "round-robin"].contains(provider), depth < 8, case .list(let strategy)? = declared?.options["strategy"],
           let first = strategy.first?.string {
            return defaultRole(ofClient: first, depth: depth + 1)
        }
        return ["openai", "openai-generic", "azure-openai", "openai-responses"].contains(provider) ? "system" : "user"
    }

    /// The provider of a client: its declaration's, or the shorthand's (`openai/gpt-4o` → `openai`).
    private func provider(of client: String) -> String {
        schema.clients[client]?.provider ?? String(client.split(separator: "/").first ?? "")
    }

    /// Template strings may call template strings, this deep at most.
    static let maximumTemplateDepth = 32

    private func makeCallHandler(_ function: FunctionDefinition, _ outputFormat: OutputFormat, depth: Int = 0) -> JinjaExpression.CallHandler {
        let schema = self.schema
        let renderer = self
        let handler: JinjaExpression.CallHandler = { name, arguments, keywords throws(JinjaExpression.EvaluationError) in
            switch name {
            case "_.role":
                guard case .string(let role)? = arguments.first ?? keywords["role"] else {
                    throw JinjaExpression.EvaluationError(message: "_.role needs a role name", offset: 0)
                }
                return .string(Self.roleMarker + role + "\u{1F}")
            case "ctx.output_format":
                let prefix: String? = { if case .string(let text)? = keywords["prefix"] { return text } else { return nil } }()
                return .string(outputFormat.render(function.returnType, prefix: prefix))
            default:
                guard let template = schema.templateStrings[name] else {
                    throw JinjaExpression.EvaluationError(message: "\(name) is not a function or template_string", offset: 0)
                }
                var variables: [String: BAMLValue] = [:]
                for (index, parameter) in template.parameters.enumerated() {
                    variables[parameter.name] = index < arguments.count ? arguments[index] : keywords[parameter.name] ?? .null
                }
                guard depth < Self.maximumTemplateDepth else {
                    throw JinjaExpression.EvaluationError(message: "template_string \(name) calls template strings more than \(Self.maximumTemplateDepth) deep", offset: 0)
                }
                do throws(JinjaTemplate.TemplateError) {
                    return .string(try JinjaTemplate(template.body, file: template.position.file)
                        .render(variables, call: renderer.makeCallHandler(function, outputFormat, depth: depth + 1)))
                } catch {
                    throw JinjaExpression.EvaluationError(message: error.description, offset: 0)
                }
            }
        }
        return handler
    }

    /// Splits rendered text at role markers into messages, trimmed, without empty ones.
    static func split(_ text: String, defaultRole: String) -> [PromptMessage] {
        var messages: [PromptMessage] = []
        var role = defaultRole
        var rest = Substring(text)
        while true {
            guard let marker = rest.firstRange(of: roleMarker) else {
                append(rest, role, into: &messages)
                return messages
            }
            append(rest[..<marker.lowerBound], role, into: &messages)
            let afterMarker = rest[marker.upperBound...]
            guard let end = afterMarker.firstIndex(of: "\u{1F}") else { return messages }
            role = String(afterMarker[..<end])
            rest = afterMarker[afterMarker.index(after: end)...]
        }
    }

    private static func append(_ text: Substring, _ role: String, into messages: inout [PromptMessage]) {
        let content = text.trimmingWhitespace
        if !content.isEmpty { messages.append(PromptMessage(role: role, content: content)) }
    }
}
