import Foundation

/// A type-erased tool: its metadata, its schemas and a `Value`-in, `Value`-out invocation that
/// validates the input against the schema first.
public struct AnyTool: Sendable {
    public let name: String
    public let version: String
    public let description: String
    public let estimatedDuration: Double
    public let inputSchema: Schema
    public let outputSchema: Schema
    private let invokeTyped: @Sendable (Value, ToolContext) async throws -> Value

    /// Wraps a typed tool.
    public init<T: Tool>(_ tool: T) {
        name = tool.name
        version = tool.version
        description = tool.description
        estimatedDuration = tool.estimatedDuration
        inputSchema = Schema.derived(from: T.Input.self)
        outputSchema = Schema.derived(from: T.Output.self)
        invokeTyped = { value, context in
            let input: T.Input
            do {
                input = try value.decode(T.Input.self)
            } catch {
                throw ToolError("InvalidInput", "inputs could not be decoded: \(error)")
            }
            return try Value(encoding: try await tool.execute(input, context: context))
        }
    }

    /// Validates `input` against the input schema, then runs the tool.
    /// - Parameters:
    ///   - input: the resolved step inputs, an object.
    ///   - context: the run, step and attempt.
    /// - Throws: `ToolError` of type `InvalidInput` listing every violation by field path,
    ///   or whatever the tool throws.
    public func invoke(_ input: Value, context: ToolContext) async throws -> Value {
        let violations = inputSchema.violations(of: input, at: "inputs")
        guard violations.isEmpty else {
            throw ToolError("InvalidInput", violations.map(\.description).joined(separator: "; "))
        }
        return try await invokeTyped(input, context)
    }
}
