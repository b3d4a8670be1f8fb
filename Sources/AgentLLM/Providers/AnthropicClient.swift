import AgentSchema
import Foundation

/// Anthropic's messages API (`anthropic`).
public struct AnthropicClient: LLMClient {
    public let name: String
    let baseURL: String
    let apiKey: String?
    let model: String
    let maxTokens: Int
    let parameters: [String: ConfigValue]
    let timeout: Duration

    /// - Parameters:
    ///   - name: the client's name.
    ///   - baseURL: the API root (`https://api.anthropic.com`).
    ///   - apiKey: sent as `x-api-key`; never logged.
    ///   - model: the model name.
    ///   - maxTokens: the answer's limit (the API requires one).
    ///   - parameters: extra request fields.
    ///   - timeout: per request.
    public init(name: String, baseURL: String, apiKey: String?, model: String, maxTokens: Int = 4096,
                parameters: [String: ConfigValue] = [:], timeout: Duration = .seconds(60)) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
        self.maxTokens = maxTokens
        self.parameters = parameters
        self.timeout = timeout
    }

    public func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse {
        var body = parameters.mapValues(\.jsonObject)
        body["model"] = model
        body["max_tokens"] = maxTokens
        let systemMessages = request.messages.filter { $0.role == "system" }
        let system = systemMessages.map(\.content).joined(separator: "\n\n")
        if systemMessages.contains(where: { !$0.metadata.isEmpty }) {
            var parts: [Any] = []
            for message in systemMessages {
                let content = try ProviderContent.content(message, for: .anthropic, client: name)
                if case .list(let items) = content { parts += items.map(\.jsonObject) } else { parts.append(["type": "text", "text": message.content]) }
            }
            body["system"] = parts
        } else if !system.isEmpty {
            body["system"] = system
        }
        var messages: [[String: Any]] = []
        for message in request.messages where message.role != "system" {
            messages.append(["role": message.role == "assistant" ? "assistant" : "user",
                             "content": try ProviderContent.content(message, for: .anthropic, client: name).jsonObject])
        }
        if messages.isEmpty { messages = [["role": "user", "content": system]]; body["system"] = nil }
        body["messages"] = messages
        if request.stream { body["stream"] = true }
        var headers = [("anthropic-version", "2023-06-01")]
        if let apiKey { headers.append(("x-api-key", apiKey)) }
        let transport = HTTPTransport(client: name, timeout: timeout)
        let url = baseURL + "/v1/messages"
        let (name, model) = (self.name, self.model)
        return try await recordedAttempt(client: name, provider: "anthropic", model: model, record: record) { () throws(LLMError) -> AttemptResult in
            var result = AttemptResult(text: "", usage: TokenUsage(inputTokens: 0, outputTokens: 0), model: model)
            if request.stream {
                var invalid: String?
                _ = try await transport.post(url: url, headers: headers, body: body) { payload in
                    guard let data = payload.data(using: .utf8), let event = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                        invalid = payload
                        return
                    }
                    switch event["type"] as? String {
                    case "message_start":
                        let message = event["message"] as? [String: Any]
                        if let counts = message?["usage"] as? [String: Any] { result.usage.inputTokens = counts["input_tokens"] as? Int ?? 0 }
                        if let reported = message?["model"] as? String { result.model = reported }
                    case "content_block_delta":
                        if let delta = (event["delta"] as? [String: Any])?["text"] as? String {
                            result.text += delta
                            request.onPartial?(result.text)
                        }
                    case "message_delta":
                        if let counts = event["usage"] as? [String: Any] { result.usage.outputTokens = counts["output_tokens"] as? Int ?? result.usage.outputTokens }
                    default: break
                    }
                }
                if let invalid { throw LLMError(.invalidResponse, "a streamed event is not JSON: \(invalid.prefix(120))", client: name) }
            } else {
                let object = try HTTPTransport.json(try await transport.post(url: url, headers: headers, body: body), client: name)
                guard let blocks = object["content"] as? [[String: Any]] else {
                    throw LLMError(.invalidResponse, "the answer has no content blocks", client: name)
                }
                result.text = blocks.compactMap { $0["text"] as? String }.joined()
                if let counts = object["usage"] as? [String: Any] {
                    result.usage = TokenUsage(inputTokens: counts["input_tokens"] as? Int ?? 0, outputTokens: counts["output_tokens"] as? Int ?? 0)
                }
                if let reported = object["model"] as? String { result.model = reported }
            }
            return result
        }
    }
}
