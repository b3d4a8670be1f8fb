import AgentCore

/// Waits, cancellably: a stand-in for slow work in examples and tests.
public struct SleepTool: Tool {
    public struct Input: Codable, Sendable { public var seconds: Double }
    public struct Output: Codable, Sendable { public var slept: Double }

    public init() {}
    public let name = "sleep"
    public let description = "Waits `seconds` seconds (cancellable) and returns how long it slept."

    public func execute(_ input: Input, context: ToolContext) async throws -> Output {
        guard input.seconds >= 0, input.seconds <= 86_400 else {
            throw ToolError("InvalidInput", "inputs.seconds: expected 0 to 86400, got \(input.seconds)")
        }
        try await Task.sleep(for: .milliseconds(Int64(input.seconds * 1000)))
        return Output(slept: input.seconds)
    }
}
