/// List prices per million tokens (input, output) in US dollars, for cost estimates. Models not
/// listed are reported without a cost rather than a guessed one.
public enum Pricing {
    public static let perMillionTokens: [(prefix: String, input: Double, output: Double)] = [
        ("gpt-4o-mini", 0.15, 0.60), ("gpt-4o", 2.50, 10.00), ("gpt-4.1-nano", 0.10, 0.40), ("gpt-4.1-mini", 0.40, 1.60),
        ("gpt-4.1", 2.00, 8.00), ("o4-mini", 1.10, 4.40), ("gpt-5-mini", 0.25, 2.00), ("gpt-5", 1.25, 10.00),
        ("claude-3-5-haiku", 0.80, 4.00), ("claude-3-5-sonnet", 3.00, 15.00), ("claude-3-7-sonnet", 3.00, 15.00),
        ("claude-sonnet-4", 3.00, 15.00), ("claude-haiku-4", 1.00, 5.00), ("claude-opus-4", 15.00, 75.00),
    ]

    /// The estimated cost of a call, or nil for a model without a known price.
    public static func cost(model: String, usage: TokenUsage) -> Double? {
        let lowered = model.lowercased()
        guard let price = perMillionTokens.first(where: { lowered.hasPrefix($0.prefix) }) else { return nil }
        return (Double(usage.inputTokens) * price.input + Double(usage.outputTokens) * price.output) / 1_000_000
    }
}
