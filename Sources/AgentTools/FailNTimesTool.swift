import AgentCore

/// Fails its first `n` attempts and then succeeds: a way to exercise retries, alternative tools
/// and fallbacks. Stateless: it reads the attempt number from its context, so the count is per
/// run and step (and `key` only labels the failure).
public struct FailNTimesTool: Tool {
    public struct Input: Codable, Sendable {
        public var n: Int
        public var key: String
    }
    public struct Output: Codable, Sendable { public var attempts: Int }

    public init() {}
    public let name = "fail_n_times"
    public let description = "Fails its first `n` attempts in a run (a retryable error labelled `key`), then returns `attempts`."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        guard context.attempt > input.n else {
            throw ToolError("Deliberate", "\(input.key): deliberate failure \(context.attempt) of \(input.n)", retryable: true)
        }
        return Output(attempts: context.attempt)
    }
}
