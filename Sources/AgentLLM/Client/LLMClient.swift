import AgentSchema
import Foundation
import Tracing

/// What one model call is asked to do.
public struct LLMRequest: Sendable {
    public var messages: [PromptMessage]
    /// Stream the response (the text is still returned whole; `onPartial` sees it grow).
    public var stream: Bool
    public var onPartial: (@Sendable (String) -> Void)?

    public init(messages: [PromptMessage], stream: Bool = false, onPartial: (@Sendable (String) -> Void)? = nil) {
        self.messages = messages
        self.stream = stream
        self.onPartial = onPartial
    }
}

/// Tokens a call used.
public struct TokenUsage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    enum CodingKeys: String, CodingKey { case inputTokens = "input_tokens", outputTokens = "output_tokens" }
}

/// A model's answer.
public struct LLMResponse: Sendable {
    public var text: String
    public var usage: TokenUsage
    /// The client that answered (after fallbacks and round-robin).
    public var client: String
    public var provider: String
    public var model: String
    public var milliseconds: Double
}

/// One attempt at a call, kept for the run's record: tokens, cost, latency and any error.
public struct LLMCallRecord: Sendable, Hashable, Codable {
    public var client: String
    public var provider: String
    public var model: String
    public var inputTokens: Int
    public var outputTokens: Int
    /// Estimated from the model's list price; nil when the model's price is unknown.
    public var costUSD: Double?
    public var milliseconds: Double
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case client, provider, model, inputTokens = "input_tokens", outputTokens = "output_tokens", costUSD = "cost_usd"
        case milliseconds, error
    }
}

/// Why a call failed, and whether trying again could help.
public struct LLMError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No client configured, or its key or model is missing from the environment.
        case notConfigured = "not_configured"
        case network, timeout, rateLimited = "rate_limited", server, badRequest = "bad_request", unauthorized
        case invalidResponse = "invalid_response"
        /// The answer could not be read as the function's return type.
        case unparseable
    }

    public var kind: Kind
    public var message: String
    public var client: String

    public init(_ kind: Kind, _ message: String, client: String) {
        self.kind = kind
        self.message = message
        self.client = client
    }

    /// Network failures, timeouts, 429 and 5xx may succeed on another try.
    public var isRetryable: Bool { [.network, .timeout, .rateLimited, .server].contains(kind) }

    public var description: String { "\(client): \(message)" }
}

/// A chat model behind an API.
public protocol LLMClient: Sendable {
    /// The client's name (as declared in BAML, or the shorthand).
    var name: String { get }
    /// Sends the messages and returns the answer; every attempt (failed ones too) is passed to `record`.
    func complete(_ request: LLMRequest, record: @Sendable (LLMCallRecord) -> Void) async throws(LLMError) -> LLMResponse
}

/// What one HTTP attempt produced.
struct AttemptResult {
    var text: String
    var usage: TokenUsage
    var model: String
}

/// Runs one attempt of a provider call, times it, and records it (a failed one too) with its
/// tokens and estimated cost.
func recordedAttempt(client: String, provider: String, model: String, record keep: @Sendable (LLMCallRecord) -> Void,
                     _ body: () async throws(LLMError) -> AttemptResult) async throws(LLMError) -> LLMResponse {
    let span = startSpan("llm \(client)", ofKind: .client)
    defer { span.end() }
    span.attributes["gen_ai.system"] = provider
    span.attributes["gen_ai.request.model"] = model
    func record(_ call: LLMCallRecord) {
        LLMMetrics.attempt(call)
        span.attributes["gen_ai.response.model"] = call.model
        span.attributes["gen_ai.usage.input_tokens"] = call.inputTokens
        span.attributes["gen_ai.usage.output_tokens"] = call.outputTokens
        if let error = call.error { span.setStatus(SpanStatus(code: .error, message: error)) }
        keep(call)
    }
    let clock = ContinuousClock()
    let started = clock.now
    func milliseconds() -> Double {
        let elapsed = clock.now - started
        return (Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15).rounded()
    }
    let result: AttemptResult
    do {
        result = try await body()
    } catch {
        record(LLMCallRecord(client: client, provider: provider, model: model, inputTokens: 0, outputTokens: 0, costUSD: nil,
                             milliseconds: milliseconds(), error: error.description))
        throw error
    }
    let elapsed = milliseconds()
    record(LLMCallRecord(client: client, provider: provider, model: result.model, inputTokens: result.usage.inputTokens,
                         outputTokens: result.usage.outputTokens, costUSD: Pricing.cost(model: result.model, usage: result.usage),
                         milliseconds: elapsed, error: nil))
    return LLMResponse(text: result.text, usage: result.usage, client: client, provider: provider, model: result.model, milliseconds: elapsed)
}
