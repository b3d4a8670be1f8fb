import AgentCore

/// Returns its input unchanged: the no-op tool of examples and benchmarks.
public struct EchoTool: Tool {
    public struct Input: Codable, Sendable { public var value: Value }
    public struct Output: Codable, Sendable { public var value: Value }

    public init() {}
    public let name = "echo"
    public let description = "Returns `value` unchanged (any type)."
    public var estimatedDuration: Double { 0 }

    public func execute(_ input: Input, context: ToolContext) async throws -> Output { Output(value: input.value) }
}
