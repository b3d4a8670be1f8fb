import AgentSchema
import Foundation

/// Builds clients from BAML `client<llm>` declarations and shorthands (`openai/gpt-4o-mini`),
/// resolving `env.NAME` from the environment. A client whose key or model is missing is still
/// built, as one that explains why it cannot answer.
public struct ClientFactory: Sendable {
    public let schema: BAMLSchema
    let environment: [String: String]

    public init(schema: BAMLSchema, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.schema = schema
        self.environment = environment
    }

    /// The client a function names (a declared client or a `provider/model` shorthand).
    public func client(named name: String) -> any LLMClient {
        client(named: name, depth: 0)
    }

    private func client(named name: String, depth: Int) -> any LLMClient {
        guard depth < 8 else { return UnconfiguredClient(name: name, reason: "client strategies nest too deeply (a cycle?)") }
        if let definition = schema.clients[name] {
            let built = build(definition, depth: depth)
            if let policyName = definition.retryPolicy, let policy = schema.retryPolicies[policyName] { return RetryingClient(built, policy: policy) }
            return built
        }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return UnconfiguredClient(name: name, reason: "no client named \(name)") }
        return build(provider: parts[0], name: name, options: ["model": .string(parts[1])], depth: depth)
    }

    private func build(_ definition: ClientDefinition, depth: Int) -> any LLMClient {
        build(provider: definition.provider, name: definition.name, options: definition.options, depth: depth)
    }

    private func build(provider: String, name: String, options: [String: ConfigValue], depth: Int) -> any LLMClient {
        var options = options
        func take(_ key: String) -> Result<String?, LLMError> {
            guard let value = options.removeValue(forKey: key) else { return .success(nil) }
            switch value {
            case .string(let text) where text.hasPrefix("env."):
                let variable = String(text.dropFirst(4))
                guard let resolved = environment[variable], !resolved.isEmpty else {
                    return .failure(LLMError(.notConfigured, "\(variable) is not set", client: name))
                }
                return .success(resolved)
            case .string(let text): return .success(text)
            case .number(let number): return .success(String(number))
            default: return .success(nil)
            }
        }
        switch provider {
        case "fallback", "round-robin":
            guard case .list(let names)? = options["strategy"] else {
                return UnconfiguredClient(name: name, reason: "\(provider) client \(name) needs options { strategy [A, B] }")
            }
            let clients = names.compactMap(\.string).map { client(named: $0, depth: depth + 1) }
            if provider == "fallback" { return FallbackClient(name: name, clients: clients) }
            var start = 0
            if case .number(let number)? = options["start"] { start = Int(number) }
            return RoundRobinClient(name: name, clients: clients, start: start)
        case "openai", "openai-generic", "anthropic":
            do {
                let model = try take("model").get()
                // A local OpenAI-compatible server needs no key: a missing one is not an error there.
                let apiKey = provider == "openai-generic" ? (try? take("api_key").get()) ?? nil : try take("api_key").get()
                let baseURL = try take("base_url").get()
                let timeoutMilliseconds = try take("request_timeout_ms").get().flatMap(Double.init) ?? 60_000
                let maxTokens = try take("max_tokens").get().flatMap(Double.init)
                options.removeValue(forKey: "default_role")
                let timeout = Duration.milliseconds(Int(timeoutMilliseconds))
                guard let model else { return UnconfiguredClient(name: name, reason: "client \(name) has no model") }
                if provider == "anthropic" {
                    guard let key = apiKey ?? environment["ANTHROPIC_API_KEY"] else {
                        return UnconfiguredClient(name: name, reason: "ANTHROPIC_API_KEY is not set")
                    }
                    return AnthropicClient(name: name, baseURL: baseURL ?? "https://api.anthropic.com", apiKey: key, model: model,
                                           maxTokens: Int(maxTokens ?? 4096), parameters: options, timeout: timeout)
                }
                if let maxTokens { options["max_tokens"] = .number(maxTokens) }
                if provider == "openai" {
                    guard let key = apiKey ?? environment["OPENAI_API_KEY"] else {
                        return UnconfiguredClient(name: name, reason: "OPENAI_API_KEY is not set")
                    }
                    return OpenAIClient(name: name, provider: provider, baseURL: baseURL ?? "https://api.openai.com/v1", apiKey: key,
                                        model: model, parameters: options, timeout: timeout)
                }
                guard let baseURL else { return UnconfiguredClient(name: name, reason: "openai-generic client \(name) needs a base_url") }
                return OpenAIClient(name: name, provider: provider, baseURL: baseURL, apiKey: apiKey, model: model, parameters: options, timeout: timeout)
            } catch {
                return UnconfiguredClient(name: name, reason: error.message)
            }
        default:
            return UnconfiguredClient(name: name, reason: "provider \(provider) is not supported (openai, openai-generic, anthropic, fallback, round-robin)")
        }
    }
}
