import AgentSchema
import Foundation
import NIOCore

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
    let timeout: TimeAmount

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
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + Int64(timeout.components.attoseconds / 1_000_000_000))
    }

    public func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse {
        var body = parameters.mapValues(\.jsonObject)
        body["model"] = model
        body["messages"] = request.messages.map { ["role": $0.role, "content": $0.content] }
        if request.stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        let headers = apiKey.map { [("authorization", "Bearer \($0)")] } ?? []
        let transport = HTTPTransport(client: name, timeout: timeout)
        let clock = ContinuousClock()
        let started = clock.now
        var text = ""
        var usage = TokenUsage(inputTokens: 0, outputTokens: 0)
        var answeredModel = model
        do throws(LLMError) {
            if request.stream {
                var invalid: String?
                _ = try await transport.post(url: baseURL + "/chat/completions", headers: headers, body: body) { payload in
                    guard payload != "[DONE]" else { return }
                    guard let data = payload.data(using: .utf8), let event = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                        invalid = payload
                        return
                    }
                    if let delta = ((event["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String {
                        text += delta
                        request.onPartial?(text)
                    }
                    if let counts = event["usage"] as? [String: Any] { usage = Self.usage(counts) }
                    if let reported = event["model"] as? String { answeredModel = reported }
                }
                if let invalid { throw LLMError(.invalidResponse, "a streamed event is not JSON: \(invalid.prefix(120))", client: name) }
            } else {
                let data = try await transport.post(url: baseURL + "/chat/completions", headers: headers, body: body)
                let object = try HTTPTransport.json(data, client: name)
                guard let message = (object["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any],
                      let content = message["content"] as? String else {
                    throw LLMError(.invalidResponse, "the answer has no choices[0].message.content", client: name)
                }
                text = content
                if let counts = object["usage"] as? [String: Any] { usage = Self.usage(counts) }
                if let reported = object["model"] as? String { answeredModel = reported }
            }
        } catch {
            record(LLMCallRecord(client: name, provider: provider, model: model, inputTokens: 0, outputTokens: 0, costUSD: nil,
                                 milliseconds: Self.milliseconds(clock.now - started), error: error.description))
            throw error
        }
        let elapsed = Self.milliseconds(clock.now - started)
        record(LLMCallRecord(client: name, provider: provider, model: answeredModel, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens,
                             costUSD: Pricing.cost(model: answeredModel, usage: usage), milliseconds: elapsed, error: nil))
        return LLMResponse(text: text, usage: usage, client: name, provider: provider, model: answeredModel, milliseconds: elapsed)
    }

    static func usage(_ counts: [String: Any]) -> TokenUsage {
        TokenUsage(inputTokens: counts["prompt_tokens"] as? Int ?? counts["input_tokens"] as? Int ?? 0,
                   outputTokens: counts["completion_tokens"] as? Int ?? counts["output_tokens"] as? Int ?? 0)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        (Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15).rounded()
    }
}
