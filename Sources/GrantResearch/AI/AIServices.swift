import AgentLLM
import AgentSchema
import Foundation

/// The AI functions of `baml_src/`, and why they cannot be used when they cannot. Tools ask it
/// for a typed result and get either the value with the calls it took, or the reason to fall
/// back to their rule-based result.
public struct AIServices: Sendable {
    let caller: FunctionCaller?
    /// Why no AI is available at all (no `baml_src`, or it does not parse).
    public let unavailableReason: String?
    /// Whether some client is configured (a key or a local server in the environment).
    public let isConfigured: Bool

    /// Loads the `.baml` files of `directory`.
    /// - Parameters:
    ///   - directory: the `baml_src` folder, or nil when none was found.
    ///   - environment: keys, models and base URLs (`env.NAME` in the files).
    public static func load(directory: String?, environment: [String: String]) -> AIServices {
        guard let directory else { return AIServices(caller: nil, unavailableReason: "no baml_src folder was found", isConfigured: false) }
        let files = BAMLParser.sources(inDirectory: directory)
        do {
            let schema = try BAMLParser.parse(files: files)
            let factory = ClientFactory(schema: schema, environment: environment)
            let configured = ["CATALYNX_LLM_BASE_URL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"].contains { !(environment[$0] ?? "").isEmpty }
            return AIServices(caller: FunctionCaller(schema: schema, factory: factory), unavailableReason: nil, isConfigured: configured)
        } catch {
            return AIServices(caller: nil, unavailableReason: "baml_src does not parse: \(error)", isConfigured: false)
        }
    }

    /// Why a call is not made when no client is configured.
    public static let notConfiguredReason = "no model is configured (set CATALYNX_LLM_BASE_URL and CATALYNX_LLM_MODEL, OPENAI_API_KEY or ANTHROPIC_API_KEY)"

    /// No AI: every call degrades with `reason`.
    public static func none(_ reason: String) -> AIServices { AIServices(caller: nil, unavailableReason: reason, isConfigured: false) }

    /// The outcome of one AI call: a value, or the reason there is none; the calls made either way.
    public struct Outcome<T: Decodable & Sendable>: Sendable {
        public var value: T?
        public var failure: String?
        public var usage: AIUsage
    }

    /// Calls `function` and decodes its result as `T`.
    public func call<T: Decodable & Sendable>(_ function: String, _ arguments: [String: BAMLValue], as type: T.Type) async -> Outcome<T> {
        guard let caller else { return Outcome(value: nil, failure: unavailableReason ?? "no AI configured", usage: AIUsage(calls: [])) }
        guard isConfigured else {
            return Outcome(value: nil, failure: Self.notConfiguredReason, usage: AIUsage(calls: []))
        }
        do {
            let success = try await caller.call(function, arguments: arguments)
            do {
                let value = try JSONDecoder().decode(T.self, from: Data(success.value.json.utf8))
                return Outcome(value: value, failure: nil, usage: AIUsage(calls: success.calls))
            } catch {
                return Outcome(value: nil, failure: "the answer of \(function) did not fit its type: \(error)", usage: AIUsage(calls: success.calls))
            }
        } catch {
            return Outcome(value: nil, failure: error.description, usage: AIUsage(calls: error.calls))
        }
    }
}

/// Model calls made for one tool: each call, and the totals (recorded in the run's events).
public struct AIUsage: Sendable, Hashable, Codable {
    public var calls: [LLMCallRecord]
    public var inputTokens: Int
    public var outputTokens: Int
    /// Nil when a model's price is unknown.
    public var costUSD: Double?

    public init(calls: [LLMCallRecord]) {
        self.calls = calls
        inputTokens = calls.reduce(0) { $0 + $1.inputTokens }
        outputTokens = calls.reduce(0) { $0 + $1.outputTokens }
        let costs = calls.filter { $0.error == nil }.map(\.costUSD)
        costUSD = costs.contains { $0 == nil } ? nil : costs.compactMap { $0 }.reduce(0, +)
    }

    enum CodingKeys: String, CodingKey { case calls, inputTokens = "input_tokens", outputTokens = "output_tokens", costUSD = "cost_usd" }
}

/// Where an AI-assisted result came from: the model (and which), or the rules (and why).
public struct AIProvenance: Sendable, Hashable, Codable {
    /// True when a model produced the result.
    public var ai: Bool
    /// True when the tool fell back to its rule-based result.
    public var degraded: Bool
    public var reason: String?
    public var model: String?
    public var usage: AIUsage

    enum CodingKeys: String, CodingKey { case ai, degraded, reason, model, usage = "llm" }

    static func from<T>(_ outcome: AIServices.Outcome<T>) -> AIProvenance {
        AIProvenance(ai: outcome.value != nil, degraded: outcome.value == nil, reason: outcome.failure,
                     model: outcome.usage.calls.last(where: { $0.error == nil })?.model, usage: outcome.usage)
    }
}
