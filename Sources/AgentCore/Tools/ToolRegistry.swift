/// The tools a process can run, by name.
public struct ToolRegistry: Sendable {
    private var tools: [String: AnyTool] = [:]

    public init() {}

    /// Registers a tool, replacing any tool of the same name.
    /// - Parameter tool: the tool to register.
    public mutating func register<T: Tool>(_ tool: T) {
        tools[tool.name] = AnyTool(tool)
    }

    /// Registers an already type-erased tool.
    /// - Parameter tool: the tool to register.
    public mutating func register(_ tool: AnyTool) {
        tools[tool.name] = tool
    }

    /// The tool called `name`, if registered.
    public subscript(name: String) -> AnyTool? { tools[name] }

    /// Every registered tool, sorted by name.
    public var all: [AnyTool] { tools.values.sorted { $0.name < $1.name } }

    /// Every registered tool name.
    public var names: [String] { tools.keys.sorted() }
}
