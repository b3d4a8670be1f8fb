import AgentCore
import ArgumentParser
import CatalynxApp

/// `catalynx tools list`
struct ToolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tools", abstract: "Show the registered tools.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tools with their inputs and outputs (JSON Schema with --format json).")

        @Option(help: "table or json.")
        var format: OutputFormat = .table

        func run() async throws {
            let registry = CLIContext().registry
            switch format {
            case .table:
                var table = TextTable("TOOL", "VERSION", "INPUTS", "OUTPUTS", "DESCRIPTION")
                for tool in registry.all {
                    table.add(tool.name, tool.version, signature(tool.inputSchema), signature(tool.outputSchema), tool.description)
                }
                Console.out(table.render(maxWidth: 70))
            case .json:
                Console.out(Value.array(registry.all.map { tool in
                    ["name": .string(tool.name), "version": .string(tool.version), "description": .string(tool.description),
                     "estimated_duration_s": .double(tool.estimatedDuration),
                     "input_schema": tool.inputSchema.jsonSchema, "output_schema": tool.outputSchema.jsonSchema]
                }).jsonString(pretty: true))
            }
        }

        private func signature(_ schema: Schema) -> String {
            guard case .object(let fields) = schema.unwrapped else { return schema.displayName }
            return fields.map { "\($0.name)\($0.isRequired ? "" : "?"): \($0.schema.unwrapped.displayName)" }.joined(separator: ", ")
        }
    }
}
