import AgentSchema
import Foundation

/// The OpenAI chat-completions API (`openai`), or any server that speaks it (`openai-generic`:
/// Ollama, vLLM, llama.cpp server) at `base_url`.
public struct OpenAIClient: LLMClient {
    public let name: String
    let provider: String
    let baseURL: String
    let apiKey: String?
    let model: String
    /// Other options sent as they are (temperature, max_tokens, …).
    let parameters: [String: ConfigValue]
    let timeout: Duration

    /// - Parameters:
    ///   - name: the client's name.
    ///   - provider: `openai` or `openai-generic`.
    ///   - baseURL: the API root (`https://api.openai.com/v1`).
    ///   - apiKey: sent as a bearer token; never logged.
    ///   - model: the model name.
    ///   - parameters: extra request fields.
    ///   - timeout: per request.
    public init(name: String, provider: String, baseURL: String, apiKey: String?, model: String, parameters: [String: ConfigValue] = [:],
                timeout: Duration = .seconds(60)) {
        self.name = name
        self.provider = provider
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
        self.parameters = parameters
        self.timeout = timeout
    }

    public func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse {
        var body = parameters.mapValues(\.jsonObject)
        body["model"] = model
        var messages: [[String: Any]] = []
        for message in request.messages {
            messages.append(["role": message.role, "content": try ProviderContent.content(message, for: .openAI, client: name).jsonObject])
        }
        body["messages"] = messages
        if request.stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        let headers = apiKey.map { [("authorization", "Bearer \($0)")] } ?? []
        let transport = HTTPTransport(client: name, timeout: timeout)
        let url = baseURL + "/chat/completions"
        let (name, model) = (self.name, self.model)
        return try await recordedAttempt(client: name, provider: provider, model: model, record: record) { () throws(LLMError) -> AttemptResult in
            var result = AttemptResult(text: "", usage: TokenUsage(inputTokens: 0, outputTokens: 0), model: model)
            if request.stream {
                var invalid: String?
                _ = try await transport.post(url: url, headers: headers, body: body) { payload in
                    guard payload != "[DONE]" else { return }
                    guard let data = payload.data(using: .utf8), let event = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                        invalid = payload
                        return
                    }
                    if let delta = ((event["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String {
                        result.text += delta
                        request.onPartial?(result.text)
                    }
                    if let counts = event["usage"] as? [String: Any] { result.usage = Self.usage(counts) }
                    if let reported = event["model"] as? String { result.model = reported }
                }
                if let invalid { throw LLMError(.invalidResponse, "a streamed event is not JSON: \(invalid.prefix(120))", client: name) }
            } else {
                let object = try HTTPTransport.json(try await transport.post(url: url, headers: headers, body: body), client: name)
                guard let message = (object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any],
                      let content = message["content"] as? String else {
                    throw LLMError(.invalidResponse, "the answer has no choices[0].message.content", client: name)
                }
                result.text = content
                if let counts = object["usage"] as? [String: Any] { result.usage = Self.usage(counts) }
                if let reported = object["model"] as? String { result.model = reported }
            }
            return result
        }
    }

    static func usage(_ counts: [String: Any]) -> TokenUsage {
        TokenUsage(inputTokens: counts["prompt_tokens"] as? Int ?? counts["input_tokens"] as? Int ?? 0,
                   outputTokens: counts["completion_tokens"] as? Int ?? counts["output_tokens"] as? Int ?? 0)
    }
}
