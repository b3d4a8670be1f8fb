/// One chat message of a rendered prompt: text, with media inputs where the template printed them.
public struct PromptMessage: Sendable, Hashable {
    public var role: String
    public var parts: [PromptPart]
    /// What `_.role(…)` gave besides the role and the client allows in `allowed_role_metadata`
    /// (`cache_control`), by key; sent with each of the message's parts.
    public var metadata: [BAMLValue.Field]

    public init(role: String, content: String) {
        self.init(role: role, parts: [.text(content)])
    }

    public init(role: String, parts: [PromptPart], metadata: [BAMLValue.Field] = []) {
        self.role = role
        self.parts = parts
        self.metadata = metadata
    }

    /// The message's text: its text parts, joined.
    public var content: String {
        parts.map { if case .text(let text) = $0 { text } else { "" } }.joined()
    }

    /// Whether an image, audio, PDF or video is part of it.
    public var hasMedia: Bool {
        parts.contains { if case .media = $0 { true } else { false } }
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
    private static let mediaMarker = "\u{1E}media:"

    /// The messages of `function` called with `arguments`.
    /// - Parameters:
    ///   - function: the function's name.
    ///   - arguments: its arguments by parameter name.
    ///   - defaultRole: the role of text before any `_.role(…)`; nil: the client's, as BAML chooses it
    ///     (`defaultRole(ofClient:)`).
    ///   - directory: the folder relative media `file`s are read from (a test block's own folder).
    public func render(function name: String, arguments: [String: BAMLValue], defaultRole: String? = nil,
                       filesRelativeTo directory: String? = nil) throws(RenderError) -> [PromptMessage] {
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
        var media: [PromptMedia] = []
        for parameter in function.parameters {
            guard let argument = variables[parameter.name] else {
                variables[parameter.name] = .null
                continue
            }
            do {
                variables[parameter.name] = try prepared(argument, as: parameter.type, media: &media, directory: directory)
            } catch {
                throw RenderError(message: "argument \(parameter.name) of \(name): \(error.message)")
            }
        }
        variables["ctx"] = .object([
            .init("output_format", .string(outputFormat.render(function.returnType))),
            .init("client", .object([.init("name", .string(function.client)), .init("provider", .string(provider(of: function.client)))])),
        ])
        variables["_"] = .object([])
        let roleMetadata = RoleMetadata(allowed: allowedRoleMetadata(ofClient: function.client))
        let rendered: String
        do {
            rendered = try template.render(variables, call: makeCallHandler(function, outputFormat, roleMetadata))
        } catch {
            throw RenderError(message: error.description)
        }
        return Self.split(rendered, defaultRole: defaultRole ?? self.defaultRole(ofClient: function.client), media: media, metadata: roleMetadata.entries)
    }

    /// An argument as the template sees it: each object's members in the order its class declares
    /// them (as BAML prints them), and each media input replaced by a marker where `split` puts it back.
    private func prepared(_ value: BAMLValue, as type: FieldType, media: inout [PromptMedia], directory: String?,
                          depth: Int = 0) throws(PromptMedia.MediaError) -> BAMLValue {
        guard depth < 32 else { return value }
        switch (type.base, value) {
        case (_, .null): return value
        case (.primitive(let primitive), _) where primitive.isMedia:
            media.append(try PromptMedia(value, kind: primitive, relativeTo: directory))
            return .string(Self.mediaMarker + String(media.count - 1) + "\u{1F}")
        case (.optional(let inner), _): return try prepared(value, as: inner, media: &media, directory: directory, depth: depth + 1)
        case (.list(let element), .list(let items)):
            var prepared: [BAMLValue] = []
            for item in items { prepared.append(try self.prepared(item, as: element, media: &media, directory: directory, depth: depth + 1)) }
            return .list(prepared)
        case (.named(let name), _):
            if let alias = schema.aliases[name] { return try prepared(value, as: alias.type, media: &media, directory: directory, depth: depth + 1) }
            guard let definition = schema.classes[name], case .object(let fields) = value else { return value }
            var declared: [BAMLValue.Field] = []
            for field in definition.fields {
                guard let member = fields.first(where: { $0.key == field.name }) else { continue }
                declared.append(.init(member.key, try prepared(member.value, as: field.type, media: &media, directory: directory, depth: depth + 1)))
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
    public func provider(of client: String) -> String {
        schema.clients[client]?.provider ?? String(client.split(separator: "/").first ?? "")
    }

    /// The `_.role(…)` keywords a client passes on: its `allowed_role_metadata` list, or all of them for "all".
    private func allowedRoleMetadata(ofClient client: String) -> Set<String>? {
        switch schema.clients[client]?.options["allowed_role_metadata"] {
        case .string("all")?: return nil
        case .list(let keys)?: return Set(keys.compactMap(\.string))
        default: return []
        }
    }

    /// The metadata of each `_.role(…)` call of one rendering, indexed from its marker.
    private final class RoleMetadata {
        /// nil: every key.
        let allowed: Set<String>?
        var entries: [[BAMLValue.Field]] = []
        init(allowed: Set<String>?) { self.allowed = allowed }

        /// Records the allowed keywords; the index to put in the role marker.
        func record(_ keywords: [String: BAMLValue]) -> Int? {
            let kept = keywords.filter { $0.key != "role" && (allowed?.contains($0.key) ?? true) }
            guard !kept.isEmpty else { return nil }
            entries.append(kept.keys.sorted().map { BAMLValue.Field($0, kept[$0]!) })
            return entries.count - 1
        }
    }

    /// Template strings may call template strings, this deep at most.
    static let maximumTemplateDepth = 32

    private func makeCallHandler(_ function: FunctionDefinition, _ outputFormat: OutputFormat, _ roleMetadata: RoleMetadata,
                                 depth: Int = 0) -> JinjaExpression.CallHandler {
        let schema = self.schema
        let renderer = self
        let handler: JinjaExpression.CallHandler = { name, arguments, keywords throws(JinjaExpression.EvaluationError) in
            switch name {
            case "_.role", "_.chat":
                guard case .string(let role)? = arguments.first ?? keywords["role"] else {
                    throw JinjaExpression.EvaluationError(message: "\(name) needs a role name", offset: 0)
                }
                return .string(Self.roleMarker + role + (roleMetadata.record(keywords).map { "\u{1D}\($0)" } ?? "") + "\u{1F}")
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
                        .render(variables, call: renderer.makeCallHandler(function, outputFormat, roleMetadata, depth: depth + 1)))
                } catch {
                    throw JinjaExpression.EvaluationError(message: error.description, offset: 0)
                }
            }
        }
        return handler
    }

    /// Splits rendered text at role markers into messages, and each message at media markers into
    /// parts: text parts trimmed, without empty ones, messages without parts dropped. As BAML does,
    /// text without any marker is one message, kept as it is.
    static func split(_ text: String, defaultRole: String, media: [PromptMedia] = [], metadata: [[BAMLValue.Field]] = []) -> [PromptMessage] {
        guard text.contains("\u{1E}") else {
            return text.trimmingWhitespace.isEmpty ? [] : [PromptMessage(role: defaultRole, content: text)]
        }
        var messages: [PromptMessage] = []
        var role = defaultRole
        var roleMetadata: [BAMLValue.Field] = []
        var rest = Substring(text)
        while true {
            guard let marker = rest.firstRange(of: roleMarker) else {
                append(rest, role, roleMetadata, media, into: &messages)
                return messages
            }
            append(rest[..<marker.lowerBound], role, roleMetadata, media, into: &messages)
            let afterMarker = rest[marker.upperBound...]
            guard let end = afterMarker.firstIndex(of: "\u{1F}") else { return messages }
            let header = afterMarker[..<end].split(separator: "\u{1D}", maxSplits: 1, omittingEmptySubsequences: false)
            role = String(header[0])
            roleMetadata = header.count > 1 ? Int(header[1]).flatMap { metadata.indices.contains($0) ? metadata[$0] : nil } ?? [] : []
            rest = afterMarker[afterMarker.index(after: end)...]
        }
    }

    private static func append(_ text: Substring, _ role: String, _ metadata: [BAMLValue.Field], _ media: [PromptMedia],
                               into messages: inout [PromptMessage]) {
        var parts: [PromptPart] = []
        func appendText(_ text: Substring) {
            let content = text.trimmingWhitespace
            if !content.isEmpty { parts.append(.text(String(content))) }
        }
        var rest = text
        while let marker = rest.firstRange(of: mediaMarker) {
            appendText(rest[..<marker.lowerBound])
            let afterMarker = rest[marker.upperBound...]
            guard let end = afterMarker.firstIndex(of: "\u{1F}") else { break }
            if let index = Int(afterMarker[..<end]), media.indices.contains(index) { parts.append(.media(media[index])) }
            rest = afterMarker[afterMarker.index(after: end)...]
        }
        appendText(rest)
        if !parts.isEmpty { messages.append(PromptMessage(role: role, parts: parts, metadata: metadata)) }
    }
}
