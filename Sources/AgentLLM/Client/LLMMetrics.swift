import Metrics

/// What LLM calls report to the process's metrics backend: calls, tokens and estimated cost per
/// model, and BAML function calls by outcome.
enum LLMMetrics {
    static func attempt(_ record: LLMCallRecord) {
        let model = record.model
        Counter(label: "catalynx_llm_calls_total", dimensions: [("provider", record.provider), ("model", model), ("status", record.error == nil ? "success" : "error")]).increment()
        Timer(label: "catalynx_llm_call_duration_seconds", dimensions: [("model", model)]).recordMilliseconds(record.milliseconds)
        guard record.error == nil else { return }
        Counter(label: "catalynx_llm_tokens_total", dimensions: [("model", model), ("direction", "input")]).increment(by: record.inputTokens)
        Counter(label: "catalynx_llm_tokens_total", dimensions: [("model", model), ("direction", "output")]).increment(by: record.outputTokens)
        if let cost = record.costUSD { FloatingPointCounter(label: "catalynx_llm_cost_dollars_total", dimensions: [("model", model)]).increment(by: cost) }
    }

    static func function(_ name: String, succeeded: Bool) {
        Counter(label: "catalynx_baml_calls_total", dimensions: [("function_name", name), ("status", succeeded ? "success" : "error")]).increment()
    }
}
